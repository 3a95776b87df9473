/** A request target that parsed: the decoded path (trailing slashes dropped) and the query. */
export interface RequestTarget {
  /** Percent-decoded path, `/` for the root. */
  readonly path: string;
  readonly query: URLSearchParams;
}

/**
 * Parses the request line's target without throwing: origin form (`/a/b?c`) and absolute form
 * (`http://host/a`, which proxies send). Undefined for anything else, for a path that does not
 * percent-decode to UTF-8 (`/%E0%A4%A`), holds characters a path may not (`//[`) or a NUL: the caller
 * answers 400.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget | undefined {
  if (raw === undefined || raw === '') return undefined;
  // RFC 3986 path characters only: `[`, `]`, `\`, spaces and the like mean a broken or hostile client.
  const rawPath = raw.startsWith('/') ? raw.split('?', 1)[0]! : '';
  if (!/^[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*$/.test(rawPath)) return undefined;
  let url: URL;
  try {
    // Resolving against a base would read `//[` as a host; prefixing keeps every origin-form target a path.
    url = raw.startsWith('/') ? new URL(`http://localhost${raw}`) : new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  return { path: path.replace(/\/+$/, '') || '/', query: url.searchParams };
}
