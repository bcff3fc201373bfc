'use client';

import { ActionIcon } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { memo } from 'react';

/**
 * The log icon: filled while the viewer has unread entries, a plain outline otherwise. The filled
 * one is near-black in light mode and near-white in dark mode (--jd-log-unread-* in globals.css):
 * Mantine's "dark" filled colour sits a few shades from the dark page and read as the outline one.
 * The shapes differ too (a dot for unread), so the two never depend on colour alone.
 */
// The glyph's colour follows the scheme too (Mantine sets white on every filled non-theme colour).
const unreadVars = () => ({ root: { '--ai-color': 'var(--jd-log-unread-fg)' } });

export const LogIcon = memo(function LogIcon({ unread, disabled, onClick, label, size = 'sm' }: {
  unread: boolean;
  disabled?: boolean;
  onClick: () => void;
  label: string;
  /** Mantine size; the phone cards use a larger touch target. */
  size?: 'sm' | 'md' | 'lg';
}) {
  const t = useTranslations('common');
  const text = disabled ? t('logIcon.none') : unread ? t('logIcon.unread') : t('logIcon.open');
  const on = unread && !disabled;
  return (
    <ActionIcon
      variant={on ? 'filled' : 'subtle'}
      color={on ? 'var(--jd-log-unread-bg)' : 'gray'}
      vars={on ? unreadVars : undefined}
      size={size}
      disabled={disabled}
      onClick={onClick}
      title={text}
      aria-label={t('logIcon.name', { label, state: text })}
      data-testid="log-icon"
      data-unread={unread ? 'true' : 'false'}
    >
      <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
        <path d="M3 1.5h7l3 3v10H3z" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinejoin="round" />
        <path d="M5.5 7h5M5.5 9.5h5M5.5 12h3" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
        {on && <circle cx="12.6" cy="3.4" r="2.6" fill="currentColor" />}
      </svg>
    </ActionIcon>
  );
});
