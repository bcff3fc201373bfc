import { NextResponse, type NextRequest } from 'next/server';
import { consoleContentSecurityPolicy } from './lib/security-headers';

/**
 * Console pages get a Content Security Policy with a nonce of their own. Next reads the nonce from
 * the policy on the request and puts it on every script it renders; the root layout reads `x-nonce`
 * for Mantine's colour-scheme script. The other headers, and the API's policy for everything else,
 * come from lib/web.ts.
 */
export function proxy(request: NextRequest) {
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const policy = consoleContentSecurityPolicy({ nonce, host: request.headers.get('host'), dev: process.env.NODE_ENV === 'development' });
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  headers.set('x-nonce', nonce);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Built files and the icon are not documents; a prefetch's payload runs no script.
      source: '/((?!_next/static|_next/image|favicon.ico|icon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
