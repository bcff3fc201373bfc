'use client';

import { Input, Pill, Stack, Switch, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import type { Role } from '../../_lib/generated';
import { DomainPicker } from '../DomainPicker';

export interface DomainsValue {
  /** A system administrator of every domain, present and future (sent as domains: []). */
  all: boolean;
  domains: string[];
}

interface Props {
  role: Role;
  value: DomainsValue;
  onChange: (v: DomainsValue) => void;
  /** Only a system administrator of all domains can hand out "all domains". */
  canGrantAll: boolean;
  error?: string;
}

/** What an administrator supervises: one domain (domain administrator) or all or a set (system administrator). */
export function domainsToSend(role: Role, v: DomainsValue): string[] {
  if (role === 'DOMAIN_ADMIN') return v.domains.slice(0, 1);
  return v.all ? [] : v.domains;
}

/**
 * The domains of a user being created or edited, chosen with the console's DomainPicker (searched
 * and paged by the server, so 20,000 domains are fine): one for a domain administrator; for a
 * system administrator every domain (a switch) or a list built one pick at a time.
 */
export function DomainsField({ role, value, onChange, canGrantAll, error }: Props) {
  const t = useTranslations('users');
  if (role === 'DOMAIN_ADMIN') {
    return (
      <Input.Wrapper label={t('domainsField.domain')} labelElement="div" description={t('domainsField.domainDescription')} error={error} withAsterisk>
        <DomainPicker value={value.domains[0] ?? null} onChange={(d) => onChange({ all: false, domains: d ? [d] : [] })}
          w="100%" placeholder={t('domainsField.chooseDomain')} data-testid="user-domain" />
      </Input.Wrapper>
    );
  }
  const all = canGrantAll && value.all;
  const remove = (d: string) => onChange({ all: false, domains: value.domains.filter((x) => x !== d) });
  return (
    <Stack gap={6}>
      {canGrantAll && (
        <Switch label={t('domainsField.allDomains')} checked={all} onChange={(e) => onChange({ ...value, all: e.currentTarget.checked })}
          data-testid="user-all-domains" />
      )}
      {!all && (
        <Input.Wrapper label={t('domainsField.supervised')} labelElement="div" error={error}
          description={value.domains.length ? t('domainsField.chosen', { count: value.domains.length }) : t('domainsField.pickEach')}>
          <Stack gap={6}>
            {/* value stays null: each pick adds to the list below instead of replacing a choice. */}
            <DomainPicker value={null} onChange={(d) => d && !value.domains.includes(d) && onChange({ all: false, domains: [...value.domains, d].sort() })}
              w="100%" placeholder={t('domainsField.addDomain')} data-testid="user-domain" />
            {value.domains.length > 0 ? (
              <Pill.Group data-testid="user-domains-chosen">
                {/* Pill hides its remove button from the keyboard and screen readers (it expects a
                    PillsInput with Backspace); here it is the only way to remove a domain. */}
                {value.domains.map((d) => (
                  <Pill key={d} withRemoveButton onRemove={() => remove(d)} removeButtonProps={{ 'aria-label': t('domainsField.remove', { domain: d }), 'aria-hidden': false, tabIndex: 0 }}>{d}</Pill>
                ))}
              </Pill.Group>
            ) : (
              <Text size="xs" c="dimmed">{t('domainsField.none')}</Text>
            )}
          </Stack>
        </Input.Wrapper>
      )}
    </Stack>
  );
}
