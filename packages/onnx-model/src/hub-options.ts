import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ProgressEvent } from '@ragloom/core';

/** Progress of one file download. `completed`/`total` are bytes; `total` is undefined when the server hides it. */
export interface DownloadProgressEvent extends ProgressEvent {
  readonly phase: 'download';
  /** The file inside the repository, e.g. `onnx/model.onnx`. */
  readonly file: string;
  readonly url: string;
}

/** How a model reference is resolved: where the cache lives, which hub, whether the network may be used. */
export interface HubOptions {
  /**
   * The Hugging Face cache folder (`.../hub`). Default: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
   * `~/.cache/huggingface/hub` — the folder huggingface_hub and transformers use, so models are shared with them.
   */
  readonly cacheDir?: string;
  /** The hub URL. Default: `$HF_ENDPOINT`, else `https://huggingface.co`. */
  readonly endpoint?: string;
  /** A branch, tag or 40-hex commit. Default `main`. */
  readonly revision?: string;
  /** Never touch the network; use the cache only. Default: `HF_HUB_OFFLINE=1` in the environment. */
  readonly offline?: boolean;
  /** Bearer token for gated/private repos. Default: `$HF_TOKEN`. */
  readonly token?: string;
  /**
   * Expected sha256 (hex) per file path inside the repository. Downloads that do not match are deleted and rejected
   * with `CHECKSUM_MISMATCH`. Merged over the built-in pins and the hub's own LFS sha256.
   */
  readonly checksums?: Readonly<Record<string, string>>;
  /** Store snapshots as symlinks into `blobs/` (the hub convention). Falls back to plain files where symlinks fail. */
  readonly symlinks?: boolean;
  /** Retries (with HTTP Range resume) when a transfer breaks off. Default 3. */
  readonly maxRetries?: number;
  readonly onProgress?: (event: DownloadProgressEvent) => void;
  readonly signal?: AbortSignal;
  /** The fetch to use (proxies, custom agents). Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Environment to read `HF_*` variables from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedHubOptions {
  readonly cacheDir: string;
  readonly endpoint: string;
  readonly revision: string;
  readonly offline: boolean;
  readonly token: string | undefined;
  readonly symlinks: boolean;
  readonly maxRetries: number;
}

const truthy = (value: string | undefined): boolean =>
  value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());

/** Applies the huggingface_hub environment conventions to the options. */
export function resolveHubOptions(options: HubOptions = {}): ResolvedHubOptions {
  const env = options.env ?? process.env;
  const hfHome = env.HF_HOME ? resolve(env.HF_HOME) : join(homedir(), '.cache', 'huggingface');
  return {
    cacheDir: resolve(options.cacheDir ?? env.HF_HUB_CACHE ?? join(hfHome, 'hub')),
    endpoint: (options.endpoint ?? env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
    revision: options.revision ?? 'main',
    offline: options.offline ?? truthy(env.HF_HUB_OFFLINE),
    token: options.token ?? env.HF_TOKEN ?? undefined,
    symlinks: options.symlinks ?? true,
    maxRetries: options.maxRetries ?? 3,
  };
}
