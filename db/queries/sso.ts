import type { Sql } from '../client';

export type OidcRequest = { state: string; nonce: string; codeVerifier: string; next: string };

export async function insertOidcRequest(sql: Sql, r: OidcRequest) {
  // Flows abandoned at the provider are forgotten after ten minutes.
  await sql`DELETE FROM oidc_requests WHERE created_at < now() - interval '10 minutes'`;
  await sql`INSERT INTO oidc_requests (state, nonce, code_verifier, next) VALUES (${r.state}, ${r.nonce}, ${r.codeVerifier}, ${r.next})`;
}

/** The flow begun with this state, consumed: a second callback with the same state finds nothing. */
export async function takeOidcRequest(sql: Sql, state: string) {
  const [row] = await sql<OidcRequest[]>`
    DELETE FROM oidc_requests WHERE state = ${state} AND created_at > now() - interval '10 minutes'
    RETURNING state, nonce, code_verifier AS "codeVerifier", next`;
  return row;
}
