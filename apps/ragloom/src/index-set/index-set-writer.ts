import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { abortError, RagloomError, type RetrieverV1 } from '@ragloom/core';
import { writeFileAtomic } from '@ragloom/core/node';
import {
  emptyIngestState,
  type IngestState,
  LEGACY_STATE_FILE,
  serializeIngestState,
} from '../ingest/ingest-state.js';
import {
  type CommittedSet,
  checkMembers,
  closeMembers,
  LEGACY_INDEX_DIR,
  type MemberSpec,
  mismatchError,
  type OpenMember,
  readCommittedSet,
  type SetProblem,
} from './committed-set.js';
import { copyFilesHashed, copyRecordedFiles, hashFile, listFiles, syncFolder } from './member-files.js';
import { createReadWriteGate, type ReadWriteGate } from './read-write-gate.js';
import {
  createManifest,
  generationDirName,
  type MemberEntry,
  newestGeneration,
  readManifest,
  removeOldGenerations,
  type SetManifest,
  STATE_FILE_NAME,
  setPath,
  WORK_DIR,
} from './set-manifest.js';
import { applyStaged, type StagedWrites } from './staging-area.js';
import type { WriterLock } from './writer-lock.js';

export interface CommitRequest {
  /** Staged writes, applied to the members in order, all inside the commit. */
  readonly writes?: StagedWrites;
  /** The ingest state of the new generation, from the last committed one. */
  readonly update?: (state: IngestState) => IngestState;
  /**
   * Writes made directly on the members (an import, the eval index), run inside the commit like staged
   * writes. The members it names in `changed` (all when omitted) are saved and versioned.
   */
  readonly apply?: (members: ReadonlyMap<string, RetrieverV1>) => Promise<void>;
  readonly changed?: readonly string[];
  /** Aborts the commit while it waits its turn; once it applies writes it completes or rolls back. */
  readonly signal?: AbortSignal;
}

export interface CommitResult {
  readonly generation: number;
  readonly counts: ReadonlyMap<string, number>;
}

export interface IndexSetWriter {
  readonly lock: WriterLock;
  readonly generation: number;
  readonly setId: string;
  /** The ingest state of the last commit (or of the set as opened). */
  readonly state: IngestState;
  readonly members: readonly OpenMember[];
  /** Records each member holds, as of the last commit (or as opened). */
  readonly counts: ReadonlyMap<string, number>;
  /** Searches go through it (as readers), commits as its writer: no search sees half a commit. */
  readonly gate: ReadWriteGate;
  /**
   * Whole write operations: ingests run side by side as its readers; a rebuild, which replaces what the
   * others commit, runs alone as its writer.
   */
  readonly operations: ReadWriteGate;
  /** Problems found on open when they were tolerated (a rebuild or a repair). */
  readonly problems: readonly SetProblem[];
  /** Applies writes to every member and the ingest state together, as one new generation, or not at all. */
  commit(request?: CommitRequest): Promise<CommitResult>;
  close(): Promise<void>;
}

export interface OpenIndexSetWriterOptions {
  readonly dataDir: string;
  readonly members: readonly MemberSpec[];
  readonly settings: string;
  readonly lock: WriterLock;
  /** Start from empty members and state, whatever the data dir holds (ingest --rebuild). */
  readonly rebuild?: boolean;
  /** Open although the members disagree (import/export into one member, or an ingest after a settings change). */
  readonly tolerateMismatch?: boolean;
  readonly log?: (level: 'info' | 'warn', message: string) => void;
}

function conflictError(dataDir: string, mine: number, theirs: number): RagloomError {
  return new RagloomError(
    'INDEX_LOCKED',
    `another writer committed generation ${theirs} of the index set in ${dataDir} while this one held ` +
      `generation ${mine}; nothing of this write was saved (run it again)`,
    { details: { dataDir, generation: mine, onDisk: theirs, conflict: true }, retryable: true },
  );
}

/**
 * The writer of an index set: it holds the data dir's lock, keeps private working copies of the
 * members (under work/), and commits each batch of writes as a new generation — every member's files
 * and the ingest state copied into a fresh folder and checksummed, then published by creating the
 * generation's manifest exclusively. In-memory members change only inside a commit, behind the gate;
 * a commit that fails is rolled back by reopening the members from the last committed generation.
 */
export async function openIndexSetWriter(options: OpenIndexSetWriterOptions): Promise<IndexSetWriter> {
  const { dataDir, lock } = options;
  await lock.assertHeld();
  const gate = createReadWriteGate();
  const operations = createReadWriteGate();
  let committed: CommittedSet = options.rebuild
    ? { layout: 'none', state: emptyIngestState(options.settings) }
    : await readCommittedSet(dataDir, options.settings);
  // A rebuild starts a new set on top of whatever generation exists, so its first commit supersedes it.
  let generation = options.rebuild ? await newestGeneration(dataDir) : (committed.manifest?.generation ?? 0);
  // What readers may still be opening when the first commit lands (kept one generation longer).
  let lastOnDisk = options.rebuild
    ? await readManifest(dataDir, generation).catch(() => undefined)
    : committed.manifest;
  const legacy = !options.rebuild && committed.layout === 'legacy';
  const setId = committed.manifest?.setId ?? randomUUID();
  let state: IngestState = { ...committed.state, setId };
  let sessions = 0;
  let members: OpenMember[] = [];
  let broken: unknown;

  await removeWorkDirs(dataDir);

  /** Fresh working copies of the members as last committed (or as opened), and their retrievers. */
  const openWorkingCopies = async (): Promise<SetProblem[]> => {
    const session = join(dataDir, WORK_DIR, `${lock.holder.lockId}-${sessions++}`);
    const problems: SetProblem[] = [];
    const opened: OpenMember[] = [];
    try {
      for (const spec of options.members) {
        const storageDir = join(session, spec.name);
        await mkdir(storageDir, { recursive: true });
        const entry = committed.manifest?.members[spec.name];
        if (entry?.storage === 'files' && entry.dir) {
          const problem = await copyRecordedFiles(
            setPath(dataDir, ...entry.dir.split('/')),
            entry.files,
            storageDir,
          );
          if (problem) {
            problems.push({
              member: spec.name,
              reason: 'checksum',
              message: `retriever "${spec.name}": ${problem}`,
            });
          }
        } else if (committed.layout === 'legacy') {
          await copyLegacyFiles(join(dataDir, LEGACY_INDEX_DIR, spec.name), storageDir);
        }
        opened.push({ name: spec.name, use: spec.use, storageDir, retriever: await spec.open(storageDir) });
      }
    } catch (error) {
      await closeMembers(opened);
      throw error;
    }
    members = opened;
    return problems;
  };

  const fileProblems = await openWorkingCopies();
  let problems: SetProblem[] = [];
  let counts = new Map<string, number>();
  try {
    const checked = options.rebuild ? undefined : await checkMembers(committed, members, fileProblems);
    problems = checked?.problems ?? [];
    counts =
      checked?.counts ??
      new Map(await Promise.all(members.map(async (m) => [m.name, await m.retriever.count()] as const)));
    for (const warning of checked?.warnings ?? []) options.log?.('warn', warning);
    // After a settings change every file is ingested again, which is also how a retriever added to the
    // config gets its records: the members may disagree until then.
    const reingesting =
      committed.state.settings !== options.settings && Object.keys(committed.state.files).length > 0;
    if (problems.length > 0 && !options.tolerateMismatch && !reingesting)
      throw mismatchError(dataDir, problems);
  } catch (error) {
    await closeMembers(members);
    await rm(join(dataDir, WORK_DIR), { recursive: true, force: true }).catch(() => {});
    throw error;
  }

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const commitNow = async (request: CommitRequest): Promise<CommitResult> => {
    if (closed) throw new RagloomError('INVALID_ARGUMENT', 'this index set writer was closed');
    if (broken) throw broken;
    if (request.signal?.aborted) throw abortError(request.signal, 'the write');
    await lock.assertHeld();
    const onDisk = await newestGeneration(dataDir);
    if (onDisk !== generation) throw conflictError(dataDir, generation, onDisk);
    return gate.write(async () => {
      const next = generation + 1;
      const dirName = generationDirName(next, randomBytes(3).toString('hex'));
      let manifest: SetManifest;
      let nextState: IngestState;
      const nextCounts = new Map<string, number>();
      try {
        const changed = new Set(request.changed ?? (request.apply ? members.map((m) => m.name) : []));
        for (const m of members) {
          const ops = request.writes?.byMember.get(m.name) ?? [];
          if (ops.length > 0) changed.add(m.name);
          await applyStaged(m.retriever, ops);
        }
        await request.apply?.(new Map(members.map((m) => [m.name, m.retriever])));
        const entries: Record<string, MemberEntry> = {};
        for (const m of members) {
          const previous = committed.manifest?.members[m.name];
          if (previous && !changed.has(m.name) && previous.storage === 'files') {
            entries[m.name] = previous;
            nextCounts.set(m.name, previous.count);
            continue;
          }
          await m.retriever.save?.();
          const count = await m.retriever.count();
          nextCounts.set(m.name, count);
          const base = { use: m.use, count, manifest: m.retriever.manifest };
          const hasFiles = (await listFiles(m.storageDir)).length > 0;
          if (!hasFiles) {
            entries[m.name] = { ...base, storage: 'external', files: [] };
            continue;
          }
          const dir = `${dirName}/${m.name}`;
          const files = await copyFilesHashed(m.storageDir, setPath(dataDir, dirName, m.name));
          entries[m.name] = { ...base, storage: 'files', dir, files };
        }
        nextState = { ...(request.update ? request.update(state) : state), setId, generation: next };
        nextState = { ...nextState, settings: nextState.settings || options.settings };
        const statePath = setPath(dataDir, dirName, STATE_FILE_NAME);
        await writeFileAtomic(statePath, serializeIngestState(nextState));
        const stateFile = await hashFile(statePath);
        await syncFolder(setPath(dataDir, dirName));
        manifest = {
          format: 'ragloom-index-set',
          version: 1,
          setId,
          generation: next,
          createdAt: new Date().toISOString(),
          writer: { command: lock.holder.command, pid: lock.holder.pid, hostname: lock.holder.hostname },
          settings: nextState.settings,
          state: { path: `${dirName}/${STATE_FILE_NAME}`, name: STATE_FILE_NAME, ...stateFile },
          members: entries,
        };
        // The commit point: the generation exists once its manifest does, and only one writer creates it.
        await lock.assertHeld();
        if (!(await createManifest(dataDir, manifest))) {
          throw conflictError(dataDir, generation, await newestGeneration(dataDir));
        }
        await syncFolder(setPath(dataDir));
      } catch (error) {
        await rm(setPath(dataDir, dirName), { recursive: true, force: true }).catch(() => {});
        await rollback();
        throw error;
      }
      const previous = lastOnDisk;
      lastOnDisk = manifest;
      committed = { layout: 'set', manifest, state: nextState };
      generation = next;
      state = nextState;
      counts = nextCounts;
      await cleanup(previous, manifest);
      return { generation: next, counts: nextCounts };
    });
  };

  async function rollback(): Promise<void> {
    // The in-memory members may hold part of the failed commit: reopen them as last committed.
    const failed = members;
    try {
      await closeMembers(failed);
      await openWorkingCopies();
    } catch (error) {
      broken = new RagloomError(
        'IO_ERROR',
        `the index set writer could not reopen its members after a failed commit: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async function cleanup(previous: SetManifest | undefined, current: SetManifest): Promise<void> {
    try {
      await removeOldGenerations(dataDir, previous ? [previous, current] : [current]);
      if (legacy || options.rebuild) {
        await rm(join(dataDir, LEGACY_INDEX_DIR), { recursive: true, force: true });
        await rm(join(dataDir, LEGACY_STATE_FILE), { force: true });
      }
    } catch (error) {
      options.log?.('warn', `could not remove old index generations: ${(error as Error).message}`);
    }
  }

  return {
    lock,
    get generation() {
      return generation;
    },
    get setId() {
      return setId;
    },
    get state() {
      return state;
    },
    get members() {
      return members;
    },
    get counts() {
      return counts;
    },
    gate,
    operations,
    problems,
    commit(request = {}) {
      const run = queue.then(() => commitNow(request));
      queue = run.catch(() => {});
      return run;
    },
    async close() {
      if (closed) return;
      await queue;
      closed = true;
      await closeMembers(members);
      await rm(join(dataDir, WORK_DIR), { recursive: true, force: true }).catch(() => {});
    },
  };
}

/** Working copies of writers that were killed (the lock holder is the only writer, so none is in use). */
async function removeWorkDirs(dataDir: string): Promise<void> {
  await rm(join(dataDir, WORK_DIR), { recursive: true, force: true }).catch(() => {});
}

async function copyLegacyFiles(from: string, to: string): Promise<void> {
  for (const name of await listFiles(from)) {
    const target = join(to, ...name.split('/'));
    await mkdir(join(target, '..'), { recursive: true });
    await copyFile(join(from, ...name.split('/')), target);
  }
}
