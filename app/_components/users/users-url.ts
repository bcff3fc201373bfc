import type { Role, UserFilter } from '../../_lib/generated';

// The users list's filters live in the query string, so a view can be bookmarked and Back returns
// to the previous one:  /users?q=smith&role=DOMAIN_ADMIN&domain=acme.example&state=disabled

export type UserState = 'enabled' | 'disabled';

export interface UsersView {
  q: string;
  role: Role | null;
  domain: string | null;
  state: UserState | null;
}

export function parseUsersView(p: URLSearchParams): UsersView {
  const role = p.get('role');
  const state = p.get('state');
  return {
    q: p.get('q') ?? '',
    // An unknown value is dropped, as the jobs list drops an unknown status.
    role: role === 'SYSTEM_ADMIN' || role === 'DOMAIN_ADMIN' ? role : null,
    domain: p.get('domain') || null,
    state: state === 'enabled' || state === 'disabled' ? state : null,
  };
}

export function toUserFilter(v: UsersView): UserFilter | null {
  const f: UserFilter = {};
  if (v.q.trim()) f.text = v.q.trim();
  if (v.role) f.role = v.role;
  if (v.domain) f.domain = v.domain;
  if (v.state) f.disabled = v.state === 'disabled';
  return Object.keys(f).length ? f : null;
}

