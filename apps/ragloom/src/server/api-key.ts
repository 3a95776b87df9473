import type { IncomingMessage } from 'node:http';
import { secretsEqual } from './secret-compare.js';

/**
 * The key a client sent: `Authorization: Bearer <key>` (OpenAI clients) or `x-api-key: <key>`
 * (Anthropic-style clients, and tools that cannot set Authorization). Both are documented.
 */
export function sentApiKey(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match) return match[1];
  }
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : undefined;
}

export function apiKeyMatches(req: IncomingMessage, expected: string): boolean {
  return secretsEqual(sentApiKey(req), expected);
}
