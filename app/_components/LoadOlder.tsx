'use client';
import { Button, Center } from '@mantine/core';

/** "Load older …" under a paged table: shown while there is a next page, busy while it loads. */
export function LoadOlder({ hasNextPage, loading, onLoad, children }: { hasNextPage: boolean; loading: boolean; onLoad: () => void; children: React.ReactNode }) {
  if (!hasNextPage) return null;
  return (
    <Center py="xs">
      <Button size="xs" variant="default" loading={loading} onClick={onLoad}>{children}</Button>
    </Center>
  );
}
