import type http from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * The client's address as far as TRUST_PROXY allows believing X-Forwarded-For: unset (or "false",
 * "0"): the socket's peer, the header is ignored; a number n: the address n proxies back from the
 * socket; a list of addresses, CIDR ranges or the names loopback, linklocal, uniquelocal: the
 * nearest forwarded address not sent by one of them. Express's `trust proxy` means the same.
 */
export type AddressOf = (req: http.IncomingMessage) => string | undefined;

export function compileTrustProxy(setting: string | undefined): ((addr: string, hop: number) => boolean) | undefined {
  const v = setting?.trim();
  if (!v || v === 'false' || v === '0') return undefined;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return (_addr, hop) => hop < hops;
  }
  return proxyaddr.compile(v.split(',').map((s) => s.trim()).filter(Boolean));
}

export function clientAddress(setting: string | undefined): AddressOf {
  const trust = compileTrustProxy(setting);
  if (!trust) return (req) => req.socket.remoteAddress ?? undefined;
  return (req) => (req.socket.remoteAddress ? proxyaddr(req, trust) : undefined);
}
