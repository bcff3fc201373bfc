import { Button, Center, Stack, Text, Title } from '@mantine/core';
import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('shell');
  return { title: t('notFound.title') };
}

// Outside the console's shell on purpose: it needs no session, so a stale bookmark or a mistyped
// address shows the way back even to someone signed out (/jobs then asks them to sign in).
// A plain <a>, not next/link: a server component cannot hand a component to Mantine's `component`.
export default async function NotFound() {
  const t = await getTranslations('shell');
  return (
    <Center mih="100dvh" p="md" component="main">
      <Stack align="center" gap="sm" maw={480} ta="center" data-testid="not-found">
        <Text size="sm" fw={700} c="dimmed">{t('notFound.kicker')}</Text>
        <Title order={1} size="h2">{t('notFound.title')}</Title>
        <Text c="dimmed">{t('notFound.text')}</Text>
        <Button component="a" href="/jobs" mt="sm" data-testid="not-found-jobs">{t('notFound.back')}</Button>
      </Stack>
    </Center>
  );
}
