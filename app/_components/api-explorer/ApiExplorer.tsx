'use client';

import { Anchor, Box, Center, Group, Loader, Text, Title } from '@mantine/core';
import dynamic from 'next/dynamic';
import Link from 'next/link';

// Monaco needs a browser (window, workers): never rendered on the server.
const GraphiQLPane = dynamic(() => import('./GraphiQLPane'), {
  ssr: false,
  loading: () => <Center h="100%"><Loader aria-label="Loading the API explorer" /></Center>,
});

/** The API explorer: GraphiQL with the viewer's session, the schema's documentation and subscriptions. */
export function ApiExplorer() {
  return (
    <Box data-testid="api-explorer" style={{ display: 'flex', flexDirection: 'column', height: 'calc(100dvh - 56px)' }}>
      <Group px="md" py={6} gap="sm" wrap="wrap" justify="space-between">
        <Title order={2} size="h4">API explorer</Title>
        <Text size="xs" c="dimmed">
          Runs as you, with your session. For scripts, create an <Anchor component={Link} href="/tokens" size="xs" underline="always">API token</Anchor>.
        </Text>
      </Group>
      <Box style={{ flex: 1, minHeight: 0 }} className="jd-graphiql">
        <GraphiQLPane />
      </Box>
    </Box>
  );
}
