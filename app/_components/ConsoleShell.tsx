'use client';

import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { Alert, AppShell, Badge, Burger, Button, Center, Group, Loader, Menu, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect, type ReactNode } from 'react';
import { restartLiveConnection } from '../_lib/apollo';
import { errorMessage } from '../_lib/errors';
import { LOGOUT, VIEWER } from '../_lib/operations';
import type { Viewer } from '../_lib/types';
import { ConnectionBanner } from './ConnectionBanner';
import { AlertBadge } from './alerts/AlertBadge';
import { ViewerProvider } from './ViewerContext';

type Shell = (key: string, values?: Record<string, string | number>) => string;

/** The menu: each entry only for those allowed to use it (the pages check again, and so does the API). */
function navItems(v: Viewer, t: Shell) {
  const admin = v.role === 'SYSTEM_ADMIN';
  const item = (p: string) => ({ href: `/${p}`, label: t(`nav.${p}`) });
  return {
    /** The header's buttons (and the drawer's first links). */
    main: ['dashboard', 'jobs', 'upcoming', 'search'].map(item),
    /** Administrators' pages: one "Administration" menu in the header (Scheduling: domain administrators too, for their domain). */
    admin: [...(admin ? ['users', 'domains', 'audit', 'mail', 'resources', 'workers'] : []), 'scheduling', 'alerts', 'channels'].map(item),
    /** After the menu: the API, for everyone. */
    api: ['tokens', 'api'].map(item),
  };
}

function roleLabel(v: Viewer, t: Shell) {
  if (v.role === 'DOMAIN_ADMIN') return t('roleBadge.domainAdmin', { domain: v.domains[0] ?? '' });
  return v.allDomains ? t('roleBadge.systemAdmin') : t('roleBadge.systemAdminOf', { count: v.domains.length });
}

function SignOut() {
  const client = useApolloClient();
  const router = useRouter();
  const [logout, { loading }] = useMutation(LOGOUT);
  const t = useTranslations('shell');
  return (
    <Button
      variant="default"
      size="xs"
      loading={loading}
      style={{ flex: 'none' }}
      data-testid="sign-out"
      onClick={async () => {
        await logout().catch(() => undefined); // a session that is already gone is signed out too
        await client.clearStore();
        restartLiveConnection();
        router.replace('/login');
      }}
    >
      {t('signOut')}
    </Button>
  );
}

export function ConsoleShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const router = useRouter();
  const t = useTranslations('shell');
  const [opened, { toggle, close }] = useDisclosure(false);
  // Mantine's `sm` breakpoint, where the header's own links take over from the drawer.
  const desktop = useMediaQuery('(min-width: 62em)');
  const { data, loading, error, refetch } = useQuery(VIEWER, { fetchPolicy: 'cache-and-network' });
  const viewer = data?.viewer;

  useEffect(() => {
    if (data && !viewer) {
      const next = window.location.pathname + window.location.search;
      router.replace(`/login?next=${encodeURIComponent(next)}`);
    }
  }, [data, viewer, router]);

  useEffect(close, [pathname, close]);

  if (!viewer) {
    return (
      <Center mih="100dvh">
        {error && !loading ? (
          <Alert color="red" title={t('notAnswering')} maw={480}>
            <Stack>
              <Text size="sm">{errorMessage(error)}</Text>
              <Button size="xs" onClick={() => void refetch()}>{t('tryAgain')}</Button>
            </Stack>
          </Alert>
        ) : (
          <Loader role="status" aria-label={t('loading')} />
        )}
      </Center>
    );
  }

  const items = navItems(viewer, t);
  const isActive = (href: string) => pathname === href || pathname.startsWith(`${href}/`);
  const navButton = (i: { href: string; label: string }) => (
    <Button key={i.href} component={Link} href={i.href} variant={isActive(i.href) ? 'light' : 'subtle'} size="compact-sm"
      aria-current={isActive(i.href) ? 'page' : undefined} data-testid={`nav-${i.href.slice(1)}`}>
      {i.label}
    </Button>
  );

  return (
    <ViewerProvider value={viewer}>
      <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'md', collapsed: { desktop: true, mobile: !opened } }} padding={0}>
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="lg" wrap="nowrap">
              <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label={opened ? t('closeNavigation') : t('openNavigation')}
                aria-expanded={opened} aria-controls="jd-mobile-nav" />
              <Title order={1} size="h4">Jobdeck</Title>
              <Group gap={4} visibleFrom="md" component="nav" aria-label={t('mainNav')} wrap="nowrap">
                {items.main.map(navButton)}
                {items.admin.length > 0 && (
                  <Menu position="bottom-start" withinPortal>
                    <Menu.Target>
                      <Button variant={items.admin.some((i) => isActive(i.href)) ? 'light' : 'subtle'} size="compact-sm" data-testid="nav-admin"
                        rightSection={<span aria-hidden>▾</span>}>
                        {t('nav.admin')}
                      </Button>
                    </Menu.Target>
                    <Menu.Dropdown>
                      {items.admin.map((i) => (
                        <Menu.Item key={i.href} component={Link} href={i.href} data-testid={`nav-${i.href.slice(1)}`}
                          aria-current={isActive(i.href) ? 'page' : undefined}>
                          {i.label}
                        </Menu.Item>
                      ))}
                    </Menu.Dropdown>
                  </Menu>
                )}
                {items.api.map(navButton)}
              </Group>
            </Group>
            <Group gap="sm" wrap="nowrap">
              <AlertBadge />
              <Button component={Link} href="/account" variant={isActive('/account') ? 'light' : 'subtle'} color="gray" size="compact-sm" visibleFrom="lg"
                data-testid="viewer-email" className="jd-truncate" maw={260} aria-label={t('myAccountOf', { email: viewer.email })} title={t('myAccount')}>
                {viewer.email}
              </Button>
              <Badge variant="light" color={viewer.role === 'SYSTEM_ADMIN' ? 'indigo' : 'teal'} data-testid="viewer-role" data-role={viewer.role}
                title={viewer.email} tt="none" maw={260} miw={0}>
                {roleLabel(viewer, t)}
              </Badge>
              <SignOut />
            </Group>
          </Group>
        </AppShell.Header>
        {/* A collapsed navbar is only moved off-screen: without `inert` its links stay in the tab
            order (and the accessibility tree), invisible, on desktop and on a phone with it closed. */}
        <AppShell.Navbar p="sm" component="nav" aria-label={t('mobileNav')} id="jd-mobile-nav" inert={!opened || desktop}>
          {[...items.main, ...items.admin, ...items.api].map((i) => (
            <NavLink key={i.href} component={Link} href={i.href} label={i.label} active={isActive(i.href)} />
          ))}
          <NavLink component={Link} href="/account" label={t('myAccount')} description={viewer.email} active={isActive('/account')} mt="md" />
        </AppShell.Navbar>
        <AppShell.Main>
          <ConnectionBanner />
          {children}
        </AppShell.Main>
      </AppShell>
    </ViewerProvider>
  );
}
