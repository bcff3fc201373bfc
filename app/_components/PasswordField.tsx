'use client';

import { PasswordInput, type PasswordInputProps } from '@mantine/core';

/**
 * Mantine's PasswordInput, with its error and description tied to the input: it renders them but
 * leaves out aria-invalid and aria-describedby (withAria: false), so a screen reader would not hear
 * "This is not your current password." on the field it concerns.
 */
export function PasswordField({ id, error, description, ...props }: PasswordInputProps & { id: string }) {
  const describedBy = [error ? `${id}-error` : null, description ? `${id}-description` : null].filter(Boolean).join(' ');
  return <PasswordInput id={id} error={error} description={description} aria-invalid={Boolean(error)} aria-describedby={describedBy || undefined} {...props} />;
}
