'use client';

import { Button, Group, Modal, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useIsTopModal } from '../_lib/modal-stack';

interface Props {
  opened: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  color?: string;
  loading?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A yes/no question over everything else (z-index above the job window and the log viewer). */
export function ConfirmDialog({ opened, title, message, confirmLabel, color = 'red', loading, onConfirm, onCancel }: Props) {
  const top = useIsTopModal(opened);
  const t = useTranslations('common');
  return (
    <Modal opened={opened} onClose={onCancel} closeOnEscape={top} trapFocus={top} title={<Text fw={600}>{title}</Text>} zIndex={400} size="sm" centered>
      <Text size="sm" mb="lg">{message}</Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel} data-autofocus data-testid="confirm-cancel">{t('confirm.keep')}</Button>
        <Button color={color} onClick={onConfirm} loading={loading} data-testid="confirm-ok">{confirmLabel}</Button>
      </Group>
    </Modal>
  );
}
