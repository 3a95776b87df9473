import { isIP } from 'node:net';
import { RagloomError } from '@ragloom/core';

/** Whether binding `host` keeps the server reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** A `--port` value as given on the command line: an integer 0–65535, or INVALID_ARGUMENT saying so. */
export function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `--port ${JSON.stringify(value)} is not a port: give an integer from 0 to 65535 (0 picks a free one)`,
      { details: { param: 'port', value } },
    );
  }
  return port;
}

/**
 * Refuses to serve a non-loopback address without an API key: anyone who can reach the address could
 * then read and write the index. `insecure` (the user's `--insecure`) says they mean it.
 */
export function checkBind(host: string, hasApiKey: boolean, insecure: boolean, keyEnv: string): void {
  if (hasApiKey || insecure || isLoopbackHost(host)) return;
  throw new RagloomError(
    'INVALID_ARGUMENT',
    `refusing to serve ${host} without an API key: anyone who can reach it could read and write your index. ` +
      `Set $${keyEnv} to a secret (clients send it as "Authorization: Bearer <key>"), or pass --insecure ` +
      'if the network is trusted',
    { details: { param: 'host', host } },
  );
}

/** A typed error with a fix for a failed `listen` (port in use, no permission, not this machine's address). */
export function bindError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  const fixes: Record<string, string> = {
    EADDRINUSE: `${where} is already in use by another process: stop it, or pick another port with --port (0 picks a free one)`,
    EACCES: `no permission to listen on ${where}: ports below 1024 need privileges; use a port above 1024 with --port`,
    EADDRNOTAVAIL: `cannot listen on ${where}: ${host} is not an address of this machine; use --host 127.0.0.1 or one of its addresses`,
    ENOTFOUND: `cannot listen on ${where}: the host name ${host} does not resolve; use --host 127.0.0.1 or an address`,
    EAI_AGAIN: `cannot listen on ${where}: the host name ${host} does not resolve; use --host 127.0.0.1 or an address`,
  };
  const message = code ? fixes[code] : undefined;
  if (!message) return error;
  return new RagloomError('INVALID_ARGUMENT', message, {
    cause: error,
    details: { host, port, reason: code },
  });
}
