import { isIP } from 'node:net';

/**
 * The hostname of a Host header (`example.com:8787` → `example.com`, `[::1]:80` → `::1`), lower case,
 * or undefined when the header is not a host[:port].
 */
export function hostnameOf(host: string): string | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]\s/@]+))(?::(\d{1,5}))?$/i.exec(host.trim());
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? '').toLowerCase().replace(/\.$/, '');
}

function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost');
}

/**
 * Whether a request's Host header names this server: loopback names and IP literals always do (DNS
 * rebinding needs a domain name the attacker controls), other names only when listed in
 * `server.allowedHosts` (`"example.com"`, `".example.com"` for it and its subdomains, `"*"` for any).
 * A request without Host (HTTP/1.0) is no browser's and passes.
 */
export function hostAllowed(host: string | undefined, allowedHosts: readonly string[]): boolean {
  if (host === undefined) return true;
  const hostname = hostnameOf(host);
  if (hostname === undefined) return false;
  if (isIP(hostname) !== 0 || isLoopbackName(hostname)) return true;
  return allowedHosts.some((entry) => {
    const allowed = entry.toLowerCase();
    if (allowed === '*') return true;
    if (allowed.startsWith('.')) return hostname === allowed.slice(1) || hostname.endsWith(allowed);
    return hostname === allowed;
  });
}
