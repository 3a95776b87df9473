import OpenAI from 'openai';
import type { OpenAICompatibleSettings } from './openai-compatible-options.js';
import { resolveEndpoint } from './resolve-endpoint.js';

/**
 * The official `openai` client for these options, under the key rules of `resolveEndpoint`. Its own retries are
 * off: the transport retries (honouring Retry-After and x-should-retry, reporting each wait, stopping on abort).
 * Without a key the SDK still insists on one, so it gets a placeholder and its Authorization header is removed
 * (unless `headers` sets one): a keyless local server sees no credentials at all.
 */
export function createOpenAIClient(
  options: Pick<
    OpenAICompatibleSettings,
    'baseURL' | 'apiKey' | 'organization' | 'project' | 'headers' | 'fetch' | 'timeoutMs'
  >,
  component: string,
): OpenAI {
  const { baseURL, apiKey } = resolveEndpoint(options, component);
  const ownAuthorization = Object.keys(options.headers ?? {}).some(
    (name) => name.toLowerCase() === 'authorization',
  );
  return new OpenAI({
    apiKey: apiKey ?? 'no-key',
    baseURL,
    // Explicit options only: the SDK would otherwise read OPENAI_ORG_ID / OPENAI_PROJECT_ID behind the caller's back.
    organization: options.organization ?? null,
    project: options.project ?? null,
    defaultHeaders: {
      ...(apiKey === undefined && !ownAuthorization ? { Authorization: null } : {}),
      ...options.headers,
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
}
