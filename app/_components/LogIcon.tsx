'use client';

import { ActionIcon } from '@mantine/core';
import { memo } from 'react';

/** The log icon: dark (filled) while the viewer has unread entries, light otherwise. */
export const LogIcon = memo(function LogIcon({ unread, disabled, onClick, label }: { unread: boolean; disabled?: boolean; onClick: () => void; label: string }) {
  const text = disabled ? 'No log yet' : unread ? 'Unread log entries — open the log' : 'Open the log';
  return (
    <ActionIcon
      variant={unread ? 'filled' : 'subtle'}
      color={unread ? 'dark' : 'gray'}
      size="sm"
      disabled={disabled}
      onClick={onClick}
      title={text}
      aria-label={`${label}: ${text}`}
      data-testid="log-icon"
      data-unread={unread ? 'true' : 'false'}
    >
      <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
        <path d="M3 1.5h7l3 3v10H3z" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinejoin="round" />
        <path d="M5.5 7h5M5.5 9.5h5M5.5 12h3" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
      </svg>
    </ActionIcon>
  );
});
