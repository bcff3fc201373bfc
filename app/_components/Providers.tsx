'use client';

import { ApolloProvider } from '@apollo/client/react';
import { createTheme, MantineProvider, Modal } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { makeClient } from '../_lib/apollo';

const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 6 (Mantine's default in light mode) gives white button text 4.3:1 on indigo; 7 gives 5:1 (WCAG AA).
  primaryShade: { light: 7, dark: 8 },
  defaultRadius: 'sm',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  components: {
    // Mantine's modal close button is an icon with no name; screen readers announced "button".
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
  },
});

export function Providers({ children }: { children: ReactNode }) {
  // One client per page load; never in React state that could be recreated.
  const [client] = useState(makeClient);
  return (
    <ApolloProvider client={client}>
      <MantineProvider theme={theme} defaultColorScheme="auto">
        {children}
      </MantineProvider>
    </ApolloProvider>
  );
}
