'use client';

import { ApolloProvider } from '@apollo/client/react';
import { createTheme, MantineProvider } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { makeClient } from '../_lib/apollo';

const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'sm',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
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
