'use client';

import { ApolloProvider } from '@apollo/client/react';
import { createTheme, MantineProvider, Modal } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useMemo, useState, type ReactNode } from 'react';
import { makeClient } from '../_lib/apollo';
import { useErrorTexts } from '../_lib/errors';

const themeWith = (closeLabel: string) => createTheme({
  primaryColor: 'indigo',
  // Shade 6 (Mantine's default in light mode) gives white button text 4.3:1 on indigo; 7 gives 5:1 (WCAG AA).
  primaryShade: { light: 7, dark: 8 },
  defaultRadius: 'sm',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  components: {
    // Mantine's modal close button is an icon with no name; screen readers announced "button".
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': closeLabel } } }),
  },
});

export function Providers({ children }: { children: ReactNode }) {
  // One client per page load; never in React state that could be recreated.
  const [client] = useState(makeClient);
  const t = useTranslations('common');
  const theme = useMemo(() => themeWith(t('close')), [t]);
  useErrorTexts(); // errorMessage() & co. in the console's language, wherever they are called
  return (
    <ApolloProvider client={client}>
      <MantineProvider theme={theme} defaultColorScheme="auto">
        {children}
      </MantineProvider>
    </ApolloProvider>
  );
}
