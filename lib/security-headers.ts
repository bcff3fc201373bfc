/**
 * Response headers against framing, MIME sniffing, referrer leaks and injected scripts (issue #12).
 * Two policies: the API's (nothing it answers is a page that may load anything) for every response
 * of the web process, and the console's, which proxy.ts puts on its pages with a fresh nonce.
 * No runtime imports: proxy.ts runs inside Next's bundle.
 */
import type { RequestHandler } from 'express';

/** For all that is not a console page: JSON, health checks, static files, error pages. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // frame-ancestors says the same to browsers that read CSP; this is for those that do not.
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // Console addresses name jobs, domains and executions: none of that goes to another site.
  'Referrer-Policy': 'no-referrer',
};

/**
 * A built file that the browser fetches to run as a worker (the API explorer's Monaco workers): a
 * worker lives under its own script's policy, and it must load this build's chunks (importScripts).
 */
export const WORKER_CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; frame-ancestors 'none'";

/** Every response of the web process; proxy.ts replaces the policy on console pages. */
export const securityHeaders: RequestHandler = (req, res, next) => {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  const isStatic = req.path.startsWith('/_next/static/');
  const worker = isStatic && req.headers['sec-fetch-dest'] === 'worker';
  res.setHeader('Content-Security-Policy', worker ? WORKER_CONTENT_SECURITY_POLICY : API_CONTENT_SECURITY_POLICY);
  if (isStatic) res.setHeader('Vary', 'Sec-Fetch-Dest');
  next();
};

// A Host header is the client's to write: it reaches the policy only when it is a plain host[:port],
// so it can never add a directive (";") or a source of its own.
const PLAIN_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The console's policy: scripts only with this response's nonce ('strict-dynamic' lets them load
 * Next's chunks), the API and its WebSocket on this host, nothing framed, no plugins, no <base>.
 */
export function consoleContentSecurityPolicy(o: { nonce: string; host?: string | null; dev: boolean }): string {
  // 'self' covers ws:/wss: of the page's own host in CSP 3 browsers; older ones need them spelled out.
  const sockets = o.host && PLAIN_HOST.test(o.host) ? ` ws://${o.host} wss://${o.host}` : '';
  return [
    "default-src 'self'",
    // Development: React rebuilds server error stacks with eval.
    `script-src 'self' 'nonce-${o.nonce}' 'strict-dynamic'${o.dev ? " 'unsafe-eval'" : ''}`,
    // Mantine writes style attributes on its components and <style> tags for its CSS variables at
    // run time; a nonce cannot cover attributes, and an injected style cannot run script.
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self'${sockets}`,
    "img-src 'self' data: blob:",
    // GraphiQL's stylesheet (the API explorer) carries its fonts and Monaco's icon font inline; a font cannot run script.
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
