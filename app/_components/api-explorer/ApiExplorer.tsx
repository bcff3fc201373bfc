'use client';

import { Anchor, Box, Center, Group, Loader, Text, Title } from '@mantine/core';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useTranslations } from 'next-intl';

// Monaco needs a browser (window, workers): never rendered on the server.
const GraphiQLPane = dynamic(() => import('./GraphiQLPane'), {
  ssr: false,
  loading: () => <Loading />,
});

function Loading() {
  const t = useTranslations('apiExplorer');
  return <Center h="100%"><Loader role="status" aria-label={t('loading')} /></Center>;
}

/** The API explorer: GraphiQL with the viewer's session, the schema's documentation and subscriptions. */
export function ApiExplorer() {
  const t = useTranslations('apiExplorer');
  return (
    <Box data-testid="api-explorer" style={{ display: 'flex', flexDirection: 'column', height: 'calc(100dvh - 56px)' }}>
      <Group px="md" py={6} gap="sm" wrap="wrap" justify="space-between">
        <Title order={2} size="h4">{t('title')}</Title>
        <Text size="xs" c="dimmed">
          {t.rich('intro', { token: (c) => <Anchor component={Link} href="/tokens" size="xs" underline="always">{c}</Anchor> })}
        </Text>
      </Group>
      <Box style={{ flex: 1, minHeight: 0 }} className="jd-graphiql">
        <GraphiQLPane />
      </Box>
    </Box>
  );
}
