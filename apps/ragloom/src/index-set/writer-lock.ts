import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { abortError, RagloomError } from '@ragloom/core';
import { currentProcess, type ProcessIdentity, processState } from './process-identity.js';

export const LOCK_FILE = 'writer.lock';

/** What a lock file says about its holder. */
export interface LockHolder extends ProcessIdentity {
  readonly format: 'ragloom-writer-lock';
  /** Random per acquisition: names this lock instance (a later lock of the same process has another). */
  readonly lockId: string;
  /** The command line of the holder, e.g. `ragloom ingest docs`. */
  readonly command: string;
  /** `server`: a `ragloom serve` that takes writes from other processes once it advertises `server.url`. */
  readonly role: 'writer' | 'server';
  readonly startedAt: string;
  /** Set by `ragloom serve` once it listens: writes of other processes go through it. */
  readonly server?: { readonly url: string };
  /**
   * Proves to the server that a request comes from someone who can read this data dir (the file is
   * readable by its owner only): the CLI sends it with writes it routes through the server.
   */
  readonly token: string;
}

export interface LockStatus {
  /** Undefined when the file cannot be parsed (written by something else, or cut off by a full disk). */
  readonly holder?: LockHolder;
  /** The claim key: the holder's lockId, or a hash of an unparseable file's bytes. */
  readonly key: string;
  readonly heartbeatAgeMs: number;
  readonly stale: boolean;
  /** Why the lock counts as stale, for messages. */
  readonly staleReason?: string;
}

export interface LockTimings {
  /** How long a lock from another machine may go without a heartbeat before it counts as abandoned. */
  readonly staleMs?: number;
  /** How often the holder touches the lock file (default: staleMs / 6, at most 2 s). */
  readonly heartbeatMs?: number;
}

export interface AcquireWriterLockOptions extends LockTimings {
  /** Shown to other processes, e.g. `ragloom ingest docs`. Default: this process's command line. */
  readonly command?: string;
  /** `server` for `ragloom serve` (default `writer`). */
  readonly role?: 'writer' | 'server';
  /** How long to wait for the holder to finish (default 0: fail at once). */
  readonly waitMs?: number;
  /** Called when this process starts waiting, and again when the holder changes. */
  readonly onWait?: (status: LockStatus) => void;
  /**
   * Stop waiting as soon as this returns true for the holder (the CLI routes its writes through a
   * server rather than waiting for it): acquire then throws INDEX_LOCKED with `details.yielded`.
   */
  readonly yieldTo?: (status: LockStatus) => boolean;
  readonly signal?: AbortSignal;
}

export interface WriterLock {
  readonly dataDir: string;
  readonly holder: LockHolder;
  /** True once another process took the lock away (it judged this one dead): commits must stop. */
  readonly lost: boolean;
  /** Throws INDEX_LOCKED unless the lock file on disk is still this lock. */
  assertHeld(): Promise<void>;
  /** Records where this process serves, so that other processes send their writes there. */
  advertise(server: { url: string }): Promise<void>;
  release(): Promise<void>;
}

const DEFAULT_STALE_MS = 30_000;
const POLL_MS = 100;

const lockPath = (dataDir: string) => join(dataDir, LOCK_FILE);
const claimPrefix = (key: string) => `${LOCK_FILE}.break-${key}.`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (
      value.format !== 'ragloom-writer-lock' ||
      typeof value.lockId !== 'string' ||
      typeof value.pid !== 'number' ||
      typeof value.hostname !== 'string'
    )
      return undefined;
    return value as LockHolder;
  } catch {
    return undefined;
  }
}

/** One line naming a lock's holder, for waiting messages and INDEX_LOCKED errors. */
export function describeHolder(status: LockStatus): string {
  const age = `last heartbeat ${(status.heartbeatAgeMs / 1000).toFixed(1)} s ago`;
  return status.holder ? describeLockHolder(status.holder, age) : `an unreadable lock file (${age})`;
}

export function describeLockHolder(h: LockHolder, extra?: string): string {
  const started = new Date(h.startedAt);
  const since = Number.isNaN(started.getTime()) ? h.startedAt : started.toLocaleTimeString('en-GB');
  const where = h.server ? `, serving ${h.server.url}` : '';
  return `\`${h.command}\` (pid ${h.pid} on ${h.hostname}, since ${since}${where}${extra ? `, ${extra}` : ''})`;
}

/** Reads the lock of a data dir and judges whether its holder is gone. Undefined: nobody holds it. */
export async function readWriterLock(
  dataDir: string,
  timings: LockTimings = {},
): Promise<LockStatus | undefined> {
  const path = lockPath(dataDir);
  let text: string;
  let mtimeMs: number;
  try {
    [text, mtimeMs] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mtimeMs)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(`cannot read the lock ${path}`, error);
  }
  const staleMs = timings.staleMs ?? DEFAULT_STALE_MS;
  const holder = parseHolder(text);
  const heartbeatAgeMs = Math.max(0, Date.now() - mtimeMs);
  const key = holder?.lockId ?? createHash('sha256').update(text).digest('hex').slice(0, 16);
  const state = holder ? processState(holder) : 'unknown';
  // A process on this machine is judged by whether it runs, never by its heartbeat: a busy event loop
  // may miss heartbeats, and taking the lock from a live writer is the one thing that must not happen.
  let staleReason: string | undefined;
  if (state === 'dead') staleReason = `its process (pid ${holder!.pid}) is gone`;
  else if (state === 'unknown' && heartbeatAgeMs > staleMs)
    staleReason = `no heartbeat for ${Math.round(heartbeatAgeMs / 1000)} s`;
  return { holder, key, heartbeatAgeMs, stale: staleReason !== undefined, staleReason };
}

function ioError(message: string, cause: unknown): RagloomError {
  return new RagloomError('IO_ERROR', `${message}: ${(cause as Error).message}`, { cause });
}

export function lockedError(dataDir: string, status: LockStatus, extra = ''): RagloomError {
  return new RagloomError(
    'INDEX_LOCKED',
    `the index in ${dataDir} is being written by ${describeHolder(status)}${extra}`,
    {
      details: {
        dataDir,
        holder: status.holder
          ? {
              pid: status.holder.pid,
              hostname: status.holder.hostname,
              command: status.holder.command,
              startedAt: status.holder.startedAt,
              server: status.holder.server?.url,
            }
          : undefined,
        heartbeatAgeMs: status.heartbeatAgeMs,
      },
      retryable: true,
    },
  );
}

/** Writes `text` to a new file readable by its owner only (it holds the server token), fsynced. */
async function writePrivateFile(path: string, text: string): Promise<void> {
  const file = await open(path, 'wx', 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}

/**
 * Gives the already written `temporary` the name `target` only if nothing has that name yet (a hard link:
 * the file appears whole or not at all); false when `target` exists. File systems without hard links fall
 * back to O_EXCL creation (readers treat a half-written file as unreadable, never as stale).
 */
async function linkExclusive(temporary: string, target: string, text: string): Promise<boolean> {
  try {
    await link(temporary, target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    try {
      await writePrivateFile(target, text);
      return true;
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw inner;
    }
  }
}

/** Creates `target` holding `text` if it does not exist yet; false when it does. */
export async function createExclusive(target: string, text: string): Promise<boolean> {
  // Named apart from the claim files, which breakers remove by prefix.
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  await writePrivateFile(temporary, text);
  try {
    return await linkExclusive(temporary, target, text);
  } finally {
    await rm(temporary, { force: true });
  }
}

interface ClaimFile extends ProcessIdentity {
  readonly at: number;
}

/**
 * Removes a stale lock so that waiting processes can compete for it again. Exactly one process may
 * remove a given lock: the one that creates the next claim file for its key with O_EXCL. It checks that
 * the lock file still holds that very lock before unlinking it; nobody else removes a lock they have not
 * claimed (the holder itself claims its own lock before releasing it), so the file cannot change between
 * the check and the unlink. A claimer that dies before finishing leaves its claim behind; the next
 * process supersedes a claim whose process is gone (or, from another machine, one older than staleMs).
 */
async function breakStaleLock(dataDir: string, status: LockStatus, staleMs: number): Promise<void> {
  const prefix = claimPrefix(status.key);
  const names = (await readdir(dataDir)).filter((n) => n.startsWith(prefix));
  const numbers = names.map((n) => Number(n.slice(prefix.length))).filter(Number.isInteger);
  const last = numbers.length > 0 ? Math.max(...numbers) : 0;
  if (last > 0) {
    let claim: ClaimFile | undefined;
    try {
      claim = JSON.parse(await readFile(join(dataDir, `${prefix}${last}`), 'utf8')) as ClaimFile;
    } catch {
      claim = undefined; // unreadable or already cleaned up: judged by age below
    }
    const state = claim ? processState(claim) : 'unknown';
    const age = Date.now() - (claim?.at ?? 0);
    if (state === 'alive' || (state === 'unknown' && age <= staleMs)) return; // someone is on it
  }
  const me = currentProcess();
  const claimPath = join(dataDir, `${prefix}${last + 1}`);
  const won = await createExclusive(claimPath, JSON.stringify({ ...me, at: Date.now() } satisfies ClaimFile));
  if (!won) return;
  try {
    const current = await readWriterLock(dataDir, { staleMs });
    if (current?.key === status.key && current.stale) await unlink(lockPath(dataDir)).catch(() => {});
  } finally {
    await removeClaims(dataDir, status.key);
  }
}

async function removeClaims(dataDir: string, key: string): Promise<void> {
  const prefix = claimPrefix(key);
  for (const name of await readdir(dataDir).catch(() => [] as string[]))
    if (name.startsWith(prefix)) await rm(join(dataDir, name), { force: true });
}

/** Leftovers of killed processes: temp files and claims of locks that no longer exist, older than a minute. */
async function removeLeftovers(dataDir: string, currentKey: string): Promise<void> {
  const names = await readdir(dataDir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(`${LOCK_FILE}.`) && !name.startsWith(`.${LOCK_FILE}.`)) continue;
    if (name.startsWith(claimPrefix(currentKey))) continue;
    const path = join(dataDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 60_000) await rm(path, { force: true });
  }
}

// Locks this process holds, released synchronously if it exits without closing them (an uncaught
// error, process.exit). Module state on purpose: 'exit' listeners are per process, not per lock.
const heldLocks = new Map<string, { path: string; lockId: string }>();
let exitHookInstalled = false;
function releaseHeldLocksSync(): void {
  for (const { path, lockId } of heldLocks.values()) {
    try {
      if (parseHolder(readFileSync(path, 'utf8'))?.lockId === lockId) unlinkSync(path);
    } catch {
      // gone already, or unreadable: nothing to release
    }
  }
}

function defaultCommand(): string {
  const [, script, ...args] = process.argv;
  const name = script && /ragloom|main\.js$/.test(script) ? 'ragloom' : (script ?? 'node');
  return [name, ...args].join(' ').slice(0, 300);
}

/**
 * Takes the one-writer lock of a data dir. The lock file is created whole with a hard link (O_EXCL where
 * links are not supported), names its holder (pid, host, command, start time; mtime is the heartbeat)
 * and is touched every heartbeat. A lock whose process is gone — killed with `kill -9`, or, from another
 * machine, silent for `staleMs` — is broken by exactly one waiter (see breakStaleLock). When the lock is
 * busy this waits up to `waitMs`, saying so through `onWait`, then fails with INDEX_LOCKED naming the holder.
 */
export async function acquireWriterLock(
  dataDir: string,
  options: AcquireWriterLockOptions = {},
): Promise<WriterLock> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const heartbeatMs = options.heartbeatMs ?? Math.min(2_000, staleMs / 6);
  const path = lockPath(dataDir);
  await mkdir(dataDir, { recursive: true }).catch((error) => {
    throw ioError(`cannot create the data dir ${dataDir}`, error);
  });
  let holder: LockHolder = {
    format: 'ragloom-writer-lock',
    lockId: randomUUID(),
    ...currentProcess(),
    command: options.command ?? defaultCommand(),
    role: options.role ?? 'writer',
    startedAt: new Date().toISOString(),
    token: randomBytes(24).toString('base64url'),
  };
  const deadline = Date.now() + (options.waitMs ?? 0);
  let waitingFor: string | undefined;
  const text = JSON.stringify(holder);
  const temporary = `${path}.${holder.lockId}.tmp`;
  try {
    await writePrivateFile(temporary, text);
  } catch (error) {
    throw ioError(`cannot create the lock ${path}`, error);
  }
  try {
    await waitForLock();
  } finally {
    await rm(temporary, { force: true });
  }
  async function waitForLock(): Promise<void> {
    for (;;) {
      if (options.signal?.aborted) throw abortError(options.signal, 'waiting for the writer lock');
      let created: boolean;
      try {
        created = await linkExclusive(temporary, path, text);
      } catch (error) {
        throw ioError(`cannot create the lock ${path}`, error);
      }
      if (created) return;
      const status = await readWriterLock(dataDir, { staleMs });
      if (!status) continue; // released between our attempt and the read: try again at once
      if (status.stale) {
        await breakStaleLock(dataDir, status, staleMs);
        continue;
      }
      if (options.yieldTo?.(status)) {
        const error = lockedError(dataDir, status);
        error.details.yielded = true;
        throw error;
      }
      if (Date.now() >= deadline) throw lockedError(dataDir, status);
      if (waitingFor !== status.key) {
        waitingFor = status.key;
        options.onWait?.(status);
      }
      await sleep(Math.min(POLL_MS + Math.random() * POLL_MS, Math.max(1, deadline - Date.now())));
    }
  }

  let lost = false;
  let released = false;
  const read = () => readWriterLock(dataDir, { staleMs });
  const heartbeat = setInterval(async () => {
    try {
      const current = await read();
      if (current?.key !== holder.lockId) {
        lost = true;
        clearInterval(heartbeat);
        return;
      }
      const now = new Date();
      await utimes(path, now, now);
    } catch {
      // a missed heartbeat is retried on the next tick
    }
  }, heartbeatMs);
  heartbeat.unref();
  heldLocks.set(holder.lockId, { path, lockId: holder.lockId });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', releaseHeldLocksSync);
  }
  removeLeftovers(dataDir, holder.lockId).catch(() => {});

  const lock: WriterLock = {
    dataDir,
    get holder() {
      return holder;
    },
    get lost() {
      return lost;
    },
    async assertHeld() {
      const current = await read();
      if (current?.key === holder.lockId && !released) return;
      lost = true;
      throw current
        ? lockedError(
            dataDir,
            current,
            '; this process lost the writer lock (it was judged dead), so it saves nothing',
          )
        : new RagloomError(
            'INDEX_LOCKED',
            `the writer lock of ${dataDir} was removed while this process held it, so it saves nothing`,
            { details: { dataDir } },
          );
    },
    async advertise(server) {
      await lock.assertHeld();
      const next: LockHolder = { ...holder, server };
      const temporary = `${path}.${holder.lockId}.${randomBytes(4).toString('hex')}.tmp`;
      await writePrivateFile(temporary, JSON.stringify(next));
      // Nobody breaks a lock whose process runs (same machine) or beats (another one), so replacing our
      // own file here cannot clobber another holder's.
      await rename(temporary, path);
      holder = next;
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      heldLocks.delete(holder.lockId);
      if (lost) return;
      // Claim our own lock like a breaker would, so that a concurrent breaker and we never both unlink.
      const claimPath = join(dataDir, `${claimPrefix(holder.lockId)}1`);
      const claimed = await createExclusive(
        claimPath,
        JSON.stringify({ ...currentProcess(), at: Date.now() } satisfies ClaimFile),
      ).catch(() => false);
      if (!claimed) return; // someone judged us dead and is removing the lock
      try {
        if ((await read())?.key === holder.lockId) await unlink(path).catch(() => {});
      } finally {
        await removeClaims(dataDir, holder.lockId);
      }
    },
  };
  return lock;
}
