import { hostname } from 'node:os';
import { isRagloomError, RagloomError } from '@ragloom/core';
import type { LoadedConfig } from '../config/config-file.js';
import {
  acquireWriterLock,
  describeHolder,
  type LockHolder,
  type LockStatus,
  lockedError,
  readWriterLock,
  type WriterLock,
} from '../index-set/writer-lock.js';
import { type GlobalOptions, info } from './cli-context.js';

export interface WriterAccessOptions {
  /** `--wait <seconds>`; default: lock.waitSeconds from the config. */
  readonly wait?: string;
  /** Route through a server that owns the data dir (ingest), rather than refusing (import, export --to). */
  readonly throughServer?: boolean;
  /** What the refusal tells the user to run once the server is stopped, e.g. `ragloom import dump.jsonl`. */
  readonly command: string;
  readonly role?: 'writer' | 'server';
  /** Another way out, added to the refusal (serve: --read-only). */
  readonly alternative?: string;
  readonly signal?: AbortSignal;
}

export type WriterAccess =
  | { readonly kind: 'lock'; readonly lock: WriterLock }
  | { readonly kind: 'server'; readonly holder: LockHolder & { server: { url: string } } };

export function waitMs(loaded: LoadedConfig, wait: string | undefined): number {
  if (wait === undefined) return loaded.config.lock.waitSeconds * 1000;
  const seconds = Number(wait);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new RagloomError('INVALID_ARGUMENT', `--wait ${wait}: give a number of seconds (0: do not wait)`);
  return seconds * 1000;
}

const serving = (status: LockStatus) =>
  status.holder?.role === 'server' && status.holder.server !== undefined;

/**
 * Becomes the writer of the data dir, or finds the server that is: the lock is taken when free (waiting,
 * with a message, up to --wait seconds when another writer holds it). A `ragloom serve` holding it takes
 * writes itself: ingest routes through it (same machine only); other writes are refused with what to do.
 */
export async function takeWriterAccess(
  loaded: LoadedConfig,
  globals: GlobalOptions,
  options: WriterAccessOptions,
): Promise<WriterAccess> {
  try {
    const lock = await acquireWriterLock(loaded.dataDir, {
      command: options.command,
      role: options.role,
      waitMs: waitMs(loaded, options.wait),
      staleMs: loaded.config.lock.staleSeconds * 1000,
      signal: options.signal,
      yieldTo: serving,
      onWait: (status) =>
        info(
          status.holder?.role === 'server'
            ? `waiting for ${describeHolder(status)} to start serving, which then takes this write…`
            : `waiting for the index lock: it is held by ${describeHolder(status)} ` +
                `(up to ${Math.round(waitMs(loaded, options.wait) / 1000)} s; --wait <seconds> to change)…`,
          globals,
        ),
    });
    return { kind: 'lock', lock };
  } catch (error) {
    if (!isRagloomError(error, 'INDEX_LOCKED') || error.details.yielded !== true)
      throw withHowTo(error, options);
    const status = await readWriterLock(loaded.dataDir);
    const holder = status?.holder;
    if (!status || !holder?.server) return takeWriterAccess(loaded, globals, options); // it just stopped
    if (!options.throughServer || holder.hostname !== hostname()) {
      throw lockedError(
        loaded.dataDir,
        status,
        holder.hostname !== hostname()
          ? `; it runs on another machine and cannot read files here: run this there, or stop it first`
          : `; stop that server (Ctrl-C in its terminal), then run \`${options.command}\` again` +
              (options.alternative ? `, or ${options.alternative}` : ''),
      );
    }
    return { kind: 'server', holder: holder as LockHolder & { server: { url: string } } };
  }
}

/** The writer lock of the data dir for a write that a server cannot take for us (import, serve). */
export async function takeWriterLock(
  loaded: LoadedConfig,
  globals: GlobalOptions,
  options: Omit<WriterAccessOptions, 'throughServer'>,
): Promise<WriterLock> {
  const access = await takeWriterAccess(loaded, globals, { ...options, throughServer: false });
  if (access.kind !== 'lock')
    throw lockedError(loaded.dataDir, { holder: access.holder, key: '', heartbeatAgeMs: 0, stale: false });
  return access.lock;
}

/** INDEX_LOCKED after waiting: add what the user can do about it. */
function withHowTo(error: unknown, options: WriterAccessOptions): unknown {
  if (!isRagloomError(error, 'INDEX_LOCKED') || error.details.conflict) return error;
  return new RagloomError(
    'INDEX_LOCKED',
    `${error.message}\n  fix: wait for it to finish and run \`${options.command}\` again, or give --wait <seconds>` +
      (options.alternative ? `, or ${options.alternative}` : ''),
    { cause: error, details: error.details, retryable: true },
  );
}
