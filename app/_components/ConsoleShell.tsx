'use client';

import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { Alert, AppShell, Badge, Burger, Button, Center, Group, Loader, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { restartLiveConnection } from '../_lib/apollo';
import { errorMessage } from '../_lib/errors';
import { LOGOUT, VIEWER } from '../_lib/operations';
import type { Viewer } from '../_lib/types';
import { ConnectionBanner } from './ConnectionBanner';
import { ViewerProvider } from './ViewerContext';

/** The menu: each entry only for those allowed to use it (the pages check again, and so does the API). */
function navItems(v: Viewer) {
  const admin = v.role === 'SYSTEM_ADMIN';
  return [
    { href: '/jobs', label: 'Jobs' },
    ...(admin
      ? [
          { href: '/users', label: 'Users' },
          { href: '/domains', label: 'Domains' },
          { href: '/audit', label: 'Audit' },
          { href: '/mail', label: 'Mail' },
        ]
      : []),
    { href: '/tokens', label: 'API tokens' },
    { href: '/api', label: 'API explorer' },
  ];
}

function roleLabel(v: Viewer) {
  if (v.role === 'DOMAIN_ADMIN') return `Domain admin · ${v.domains[0] ?? ''}`;
  return v.allDomains ? 'System admin' : `System admin · ${v.domains.length} domain${v.domains.length === 1 ? '' : 's'}`;
}

function SignOut() {
  const client = useApolloClient();
  const router = useRouter();
  const [logout, { loading }] = useMutation(LOGOUT);
  return (
    <Button
      variant="default"
      size="xs"
      loading={loading}
      data-testid="sign-out"
      onClick={async () => {
        await logout().catch(() => undefined); // a session that is already gone is signed out too
        await client.clearStore();
        restartLiveConnection();
        router.replace('/login');
      }}
    >
      Sign out
    </Button>
  );
}

export function ConsoleShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const router = useRouter();
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
          <Alert color="red" title="Jobdeck is not answering" maw={480}>
            <Stack>
              <Text size="sm">{errorMessage(error)}</Text>
              <Button size="xs" onClick={() => void refetch()}>Try again</Button>
            </Stack>
          </Alert>
        ) : (
          <Loader aria-label="Loading" />
        )}
      </Center>
    );
  }

  const items = navItems(viewer);
  const isActive = (href: string) => pathname === href || pathname.startsWith(`${href}/`);

  return (
    <ViewerProvider value={viewer}>
      <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'md', collapsed: { desktop: true, mobile: !opened } }} padding={0}>
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="lg" wrap="nowrap">
              <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'}
                aria-expanded={opened} aria-controls="jd-mobile-nav" />
              <Title order={1} size="h4">Jobdeck</Title>
              <Group gap={4} visibleFrom="md" component="nav" aria-label="Main">
                {items.map((i) => (
                  <Button key={i.href} component={Link} href={i.href} variant={isActive(i.href) ? 'light' : 'subtle'} size="compact-sm"
                    aria-current={isActive(i.href) ? 'page' : undefined} data-testid={`nav-${i.href.slice(1)}`}>
                    {i.label}
                  </Button>
                ))}
              </Group>
            </Group>
            <Group gap="sm" wrap="nowrap">
              <Button component={Link} href="/account" variant={isActive('/account') ? 'light' : 'subtle'} color="gray" size="compact-sm" visibleFrom="lg"
                data-testid="viewer-email" className="jd-truncate" maw={260} aria-label={`My account (${viewer.email})`} title="My account">
                {viewer.email}
              </Button>
              <Badge variant="light" color={viewer.role === 'SYSTEM_ADMIN' ? 'indigo' : 'teal'} data-testid="viewer-role" data-role={viewer.role}
                title={viewer.email} tt="none" maw={260}>
                {roleLabel(viewer)}
              </Badge>
              <SignOut />
            </Group>
          </Group>
        </AppShell.Header>
        {/* A collapsed navbar is only moved off-screen: without `inert` its links stay in the tab
            order (and the accessibility tree), invisible, on desktop and on a phone with it closed. */}
        <AppShell.Navbar p="sm" component="nav" aria-label="Main (mobile)" id="jd-mobile-nav" inert={!opened || desktop}>
          {items.map((i) => (
            <NavLink key={i.href} component={Link} href={i.href} label={i.label} active={isActive(i.href)} />
          ))}
          <NavLink component={Link} href="/account" label="My account" description={viewer.email} active={isActive('/account')} mt="md" />
        </AppShell.Navbar>
        <AppShell.Main>
          <ConnectionBanner />
          {children}
        </AppShell.Main>
      </AppShell>
    </ViewerProvider>
  );
}
