import { RagloomError } from '@ragloom/core';
import type { IngestState } from '../ingest/ingest-state.js';
import {
  checkMembers,
  closeMembers,
  type MemberSpec,
  mismatchError,
  type OpenMember,
  openCommittedMembers,
  readCommittedSet,
  type SetLayout,
  type SetProblem,
  VanishedError,
} from './committed-set.js';
import { newestGeneration, type SetManifest } from './set-manifest.js';

/** One committed generation of the set, opened for searching. */
export interface IndexSetView {
  readonly layout: SetLayout;
  /** 0 before the first commit (and for a data dir from before index sets). */
  readonly generation: number;
  readonly setId?: string;
  readonly manifest?: SetManifest;
  readonly state: IngestState;
  readonly members: readonly OpenMember[];
  /** Records each member holds. */
  readonly counts: ReadonlyMap<string, number>;
  /** Problems found on open (only with `tolerateMismatch`; otherwise they are an INDEX_MISMATCH error). */
  readonly problems: readonly SetProblem[];
  readonly warnings: readonly string[];
}

export interface IndexSetReader {
  readonly view: IndexSetView;
  /** Keeps the current view open until released, even if a refresh replaces it meanwhile. */
  lease(): { readonly view: IndexSetView; release(): void };
  /** Opens the newest generation if another process committed one; true when the view changed. */
  refresh(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenIndexSetOptions {
  readonly dataDir: string;
  readonly members: readonly MemberSpec[];
  readonly settings: string;
  /** Open even when the members disagree, and report the problems in the view (doctor, repairs). */
  readonly tolerateMismatch?: boolean;
  readonly log?: (level: 'info' | 'warn', message: string) => void;
}

const generationOf = (layout: SetLayout, manifest?: SetManifest) =>
  layout === 'set' ? manifest!.generation : 0;

/** Opens the newest generation, retrying when a concurrent commit removes the files being opened. */
export async function openNewestView(options: OpenIndexSetOptions): Promise<IndexSetView> {
  const { dataDir } = options;
  for (let attempt = 0; attempt < 8; attempt++) {
    let members: OpenMember[] = [];
    try {
      const committed = await readCommittedSet(dataDir, options.settings);
      const opened = await openCommittedMembers(dataDir, committed, options.members);
      members = opened.members;
      const checked = await checkMembers(committed, members, opened.fileProblems);
      const generation = generationOf(committed.layout, committed.manifest);
      if (checked.problems.length > 0 && (await newestGeneration(dataDir)) !== generation) {
        await closeMembers(members);
        continue; // a commit happened while we opened: what we saw may be half of each
      }
      if (checked.problems.length > 0 && !options.tolerateMismatch) {
        await closeMembers(members);
        throw mismatchError(dataDir, checked.problems);
      }
      for (const warning of checked.warnings) options.log?.('warn', warning);
      return {
        layout: committed.layout,
        generation,
        setId: committed.manifest?.setId,
        manifest: committed.manifest,
        state: committed.state,
        members,
        counts: checked.counts,
        problems: checked.problems,
        warnings: checked.warnings,
      };
    } catch (error) {
      await closeMembers(members);
      if (!(error instanceof VanishedError)) throw error;
      if ((await newestGeneration(dataDir)) === error.generation)
        throw mismatchError(dataDir, [{ member: undefined, reason: 'checksum', message: error.message }]);
    }
  }
  throw new RagloomError(
    'IO_ERROR',
    `the index set in ${dataDir} kept changing while it was opened; try again`,
  );
}

interface Held {
  readonly view: IndexSetView;
  leases: number;
  retired: boolean;
}

/**
 * A reader of an index set: it opens the newest committed generation and, on `refresh`, moves to a newer
 * one that another process committed. Views are immutable; a replaced view closes when its last lease ends.
 */
export async function openIndexSetReader(options: OpenIndexSetOptions): Promise<IndexSetReader> {
  let current: Held = { view: await openNewestView(options), leases: 0, retired: false };
  let refreshing: Promise<boolean> | undefined;
  let closed = false;
  const retire = async (held: Held) => {
    held.retired = true;
    if (held.leases === 0) await closeMembers(held.view.members);
  };
  const refresh = async (): Promise<boolean> => {
    if (closed) return false;
    const newest = await newestGeneration(options.dataDir);
    if (newest === current.view.generation) return false;
    const view = await openNewestView(options);
    const previous = current;
    current = { view, leases: 0, retired: false };
    await retire(previous);
    return true;
  };
  return {
    get view() {
      return current.view;
    },
    lease() {
      const held = current;
      held.leases++;
      let released = false;
      return {
        view: held.view,
        release() {
          if (released) return;
          released = true;
          held.leases--;
          if (held.retired && held.leases === 0) closeMembers(held.view.members).catch(() => {});
        },
      };
    },
    refresh() {
      // Concurrent requests share one refresh.
      refreshing ??= refresh().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
    async close() {
      closed = true;
      await refreshing?.catch(() => {});
      await retire(current);
    },
  };
}
