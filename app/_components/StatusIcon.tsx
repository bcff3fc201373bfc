'use client';

import { memo } from 'react';
import { STATUS_COLOR, type StatusFilter } from '../_lib/status';
import type { ExecutionStatus } from '../_lib/types';
import { useLabels } from '../_lib/use-labels';

// Shape as well as colour, so the status reads without colour vision; the label is the accessible
// name and the hover text (an SVG <title>: list rows are many, a floating tooltip each is too heavy).
function Glyph({ status }: { status: StatusFilter }) {
  switch (status) {
    case 'SUCCESS':
      return <path d="M5 8.2l2 2 4-4.4" fill="none" stroke="white" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />;
    case 'WARNING':
      return <path d="M8 4.2v4.4M8 11.2v.3" stroke="white" strokeWidth="1.8" strokeLinecap="round" />;
    case 'FAILURE':
      return <path d="M5.5 5.5l5 5M10.5 5.5l-5 5" stroke="white" strokeWidth="1.8" strokeLinecap="round" />;
    case 'INTERRUPTED':
      return <path d="M5 8h6" stroke="white" strokeWidth="2" strokeLinecap="round" />;
    case 'CANCELLED':
      return <path d="M5 11l6-6" stroke="white" strokeWidth="1.8" strokeLinecap="round" />;
    case 'IN_PROGRESS':
      return <path d="M6.5 5v6l4.5-3z" fill="white" />;
    default:
      return null;
  }
}

export const StatusIcon = memo(function StatusIcon({ status, size = 18 }: { status: ExecutionStatus | null | undefined; size?: number }) {
  const L = useLabels();
  const s: StatusFilter = status ?? 'NEVER_RUN';
  const color = `var(--mantine-color-${STATUS_COLOR[s]}-filled)`;
  const label = L.status(s);
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      role="img"
      aria-label={label}
      data-status={s}
      data-testid="status-icon"
      className={s === 'IN_PROGRESS' ? 'jd-blink' : undefined}
      style={{ flex: 'none', display: 'block' }}
    >
      <title>{label}</title>
      {s === 'NEVER_RUN' ? (
        // Dimmed text colour, not gray-filled: in dark mode that grey is a few shades from the page
        // and the dashed ring vanished. The centre dot keeps it a shape of its own at 18 px.
        <>
          <circle cx="8" cy="8" r="6.2" fill="none" stroke="var(--mantine-color-dimmed)" strokeWidth="1.6" strokeDasharray="2.4 1.6" />
          <circle cx="8" cy="8" r="1.6" fill="var(--mantine-color-dimmed)" />
        </>
      ) : (
        <circle cx="8" cy="8" r="7.5" fill={color} />
      )}
      <Glyph status={s} />
    </svg>
  );
});
