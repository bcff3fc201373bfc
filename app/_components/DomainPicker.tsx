'use client';

import { useQuery } from '@apollo/client/react';
import { CloseButton, Combobox, InputBase, Loader, Text, useCombobox, type InputBaseProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { DOMAIN_LIST } from '../_lib/operations';
import { appendPage } from '../_lib/append-page';

const MORE = '\u0000more';
const PAGE = 50;

interface Props {
  /** The chosen domain; null for "every domain". */
  value: string | null;
  onChange: (domain: string | null) => void;
  w?: InputBaseProps['w'];
  placeholder?: string;
  'data-testid'?: string;
}

/**
 * Picks one of the viewer's domains. There can be 20,000 of them, so the list is searched and paged
 * by the server (domainList) as the user types: never more than the pages asked for are loaded.
 */
export function DomainPicker({ value, onChange, w = 200, placeholder, 'data-testid': testId }: Props) {
  const t = useTranslations('common');
  const combobox = useCombobox({ onDropdownClose: () => { combobox.resetSelectedOption(); setSearch(value ?? ''); } });
  const [search, setSearch] = useState(value ?? '');
  // Back/forward or a pasted link changes the value under us: follow it.
  useEffect(() => setSearch(value ?? ''), [value]);
  const typing = combobox.dropdownOpened && search !== (value ?? '');
  const [text] = useDebouncedValue(typing ? search.trim() : '', 200);
  const { data, previousData, loading, fetchMore } = useQuery(DOMAIN_LIST, {
    variables: { text: text || null, first: PAGE },
    skip: !combobox.dropdownOpened,
    notifyOnNetworkStatusChange: true,
  });
  // While the next search is on its way, the previous answer stays on screen (no flicker per key).
  const list = (data ?? previousData)?.domainList;

  const more = () =>
    void fetchMore({
      variables: { after: list?.pageInfo.endCursor },
      updateQuery: appendPage('domainList'),
    });

  return (
    <Combobox
      store={combobox}
      withinPortal
      onOptionSubmit={(v) => {
        if (v === MORE) return more();
        onChange(v);
        setSearch(v);
        combobox.closeDropdown();
      }}
    >
      <Combobox.Target>
        <InputBase
          size="xs"
          w={w}
          value={search}
          placeholder={placeholder ?? t('domainPicker.all')}
          aria-label={t('domainPicker.label')}
          data-testid={testId}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            combobox.openDropdown();
            combobox.updateSelectedOptionIndex();
          }}
          onClick={() => combobox.openDropdown()}
          onFocus={() => combobox.openDropdown()}
          rightSectionPointerEvents={value ? 'all' : 'none'}
          rightSection={
            value ? (
              <CloseButton size="sm" aria-label={t('domainPicker.all')} onMouseDown={(e) => e.preventDefault()}
                onClick={() => { onChange(null); setSearch(''); combobox.closeDropdown(); }} />
            ) : loading ? <Loader size={12} aria-hidden /> : <Combobox.Chevron />
          }
        />
      </Combobox.Target>
      <Combobox.Dropdown data-testid={testId ? `${testId}-options` : undefined}>
        <Combobox.Options mah={280} style={{ overflowY: 'auto' }} aria-label={t('domainPicker.options')}>
          {list?.nodes.map((d) => (
            <Combobox.Option value={d.name} key={d.name} active={d.name === value}>
              {d.name}
            </Combobox.Option>
          ))}
          {list && list.nodes.length === 0 && <Combobox.Empty>{t('domainPicker.noMatch')}</Combobox.Empty>}
          {list?.pageInfo.hasNextPage && (
            <Combobox.Option value={MORE} key={MORE}>
              <Text size="xs" c="dimmed">{t('domainPicker.more', { count: list.totalCount - list.nodes.length })}</Text>
            </Combobox.Option>
          )}
          {!list && <Combobox.Empty>{t('loading')}</Combobox.Empty>}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}
