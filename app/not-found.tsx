import { Button, Center, Stack, Text, Title } from '@mantine/core';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Page not found' };

// Outside the console's shell on purpose: it needs no session, so a stale bookmark or a mistyped
// address shows the way back even to someone signed out (/jobs then asks them to sign in).
// A plain <a>, not next/link: a server component cannot hand a component to Mantine's `component`.
export default function NotFound() {
  return (
    <Center mih="100dvh" p="md" component="main">
      <Stack align="center" gap="sm" maw={480} ta="center" data-testid="not-found">
        <Text size="sm" fw={700} c="dimmed">Jobdeck · 404</Text>
        <Title order={1} size="h2">Page not found</Title>
        <Text c="dimmed">
          There is nothing at this address. It may come from an old link or a typo; the jobs list is where everything starts.
        </Text>
        <Button component="a" href="/jobs" mt="sm" data-testid="not-found-jobs">Back to Jobs</Button>
      </Stack>
    </Center>
  );
}
