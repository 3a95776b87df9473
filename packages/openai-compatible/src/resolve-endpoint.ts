import { RagloomError } from '@ragloom/core';
import { OPENAI_BASE_URL } from './openai-compatible-options.js';

/** Where requests go and with which key; `apiKey` undefined means no Authorization header at all. */
export interface ResolvedEndpoint {
  /** Without a trailing slash: `http://localhost:11434/v1`. */
  readonly baseURL: string;
  readonly apiKey: string | undefined;
}

/** Reads an environment variable where there is a `process`; undefined in a browser. */
function readEnv(name: string): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[
    name
  ];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function checkedURL(value: string, source: string, component: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  throw new RagloomError(
    'INVALID_CONFIG',
    `${component}: ${source} is not an http(s) URL: ${JSON.stringify(value)}`,
    {
      details: { component, issues: [{ path: 'baseURL', message: `not an http(s) URL (from ${source})` }] },
    },
  );
}

/**
 * The key rules of every OpenAI-compatible adapter: the base URL is `baseURL`, else `$OPENAI_BASE_URL`, else
 * OpenAI's; the key is `apiKey`, else `$OPENAI_API_KEY`. Only OpenAI's own endpoint demands a key — a base URL
 * (option or environment) points at a server that may need none (vLLM, llama.cpp, Ollama, LM Studio), so a
 * missing key there means "send no Authorization header", not an error.
 */
export function resolveEndpoint(
  options: { readonly baseURL?: string | undefined; readonly apiKey?: string | undefined },
  component: string,
): ResolvedEndpoint {
  const envBaseURL = readEnv('OPENAI_BASE_URL');
  const baseURL =
    options.baseURL !== undefined
      ? checkedURL(options.baseURL, 'baseURL', component)
      : envBaseURL !== undefined
        ? checkedURL(envBaseURL, '$OPENAI_BASE_URL', component)
        : OPENAI_BASE_URL;
  const apiKey = options.apiKey ?? readEnv('OPENAI_API_KEY');
  if (apiKey === undefined && options.baseURL === undefined && envBaseURL === undefined) {
    throw new RagloomError(
      'INVALID_CONFIG',
      `${component}: no API key for ${OPENAI_BASE_URL}: pass \`apiKey\` or set OPENAI_API_KEY ` +
        '(a local server needs no key: pass its `baseURL`)',
      { details: { component, issues: [{ path: 'apiKey', message: 'required for api.openai.com' }] } },
    );
  }
  return { baseURL, apiKey };
}
