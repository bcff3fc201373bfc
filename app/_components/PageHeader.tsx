'use client';

import { Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A console page's heading and the sentence under it that says what the page is for. */
export function PageHeader({ title, intro }: { title: ReactNode; intro: ReactNode }) {
  return (
    <div>
      <Title order={2} size="h3">{title}</Title>
      <Text size="sm" c="dimmed">{intro}</Text>
    </div>
  );
}
