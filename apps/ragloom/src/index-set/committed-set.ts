import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type IndexManifest, RagloomError, type RetrieverV1 } from '@ragloom/core';
import {
  emptyIngestState,
  type IngestState,
  LEGACY_STATE_FILE,
  parseIngestState,
  readIngestStateFile,
} from '../ingest/ingest-state.js';
import { compareFiles } from './member-files.js';
import { readNewestManifest, type SetManifest, setPath } from './set-manifest.js';

/** Builds a member's retriever over a storage folder (the app does it through the member's plugin). */
export interface MemberSpec {
  readonly name: string;
  readonly use: string;
  open(storageDir: string): Promise<RetrieverV1>;
}

export interface OpenMember {
  readonly name: string;
  readonly use: string;
  readonly retriever: RetrieverV1;
  readonly storageDir: string;
}

/**
 * `none`: nothing was ever written. `legacy`: written by a ragloom from before index sets (indexes/<name>/
 * and ingest-state.json in the data dir; migrated by the first commit). `set`: a committed generation.
 */
export type SetLayout = 'none' | 'legacy' | 'set';

export interface CommittedSet {
  readonly layout: SetLayout;
  readonly manifest?: SetManifest;
  readonly state: IngestState;
}

export const LEGACY_INDEX_DIR = 'indexes';

/** A file of the set is gone: a concurrent commit removed an old generation, or someone deleted it. */
export class VanishedError extends Error {
  constructor(
    message: string,
    readonly generation: number,
  ) {
    super(message);
  }
}

/** Reads the newest committed generation and its ingest state, checking that they belong together. */
export async function readCommittedSet(dataDir: string, settings: string): Promise<CommittedSet> {
  const manifest = await readNewestManifest(dataDir);
  if (!manifest) {
    const legacyState = join(dataDir, LEGACY_STATE_FILE);
    if (existsSync(legacyState)) return { layout: 'legacy', state: await readIngestStateFile(legacyState) };
    if (existsSync(join(dataDir, LEGACY_INDEX_DIR)))
      return { layout: 'legacy', state: emptyIngestState(settings) };
    return { layout: 'none', state: emptyIngestState(settings) };
  }
  const statePath = setPath(dataDir, ...manifest.state.path.split('/'));
  const problem = await compareFiles(setPath(dataDir), [{ ...manifest.state, name: manifest.state.path }]);
  if (problem?.endsWith('is missing'))
    throw new VanishedError(`the ingest state ${problem}`, manifest.generation);
  if (problem) {
    throw mismatchError(dataDir, [
      { member: undefined, reason: 'checksum', message: `the ingest state ${problem}` },
    ]);
  }
  const state = parseIngestState(await readFile(statePath, 'utf8'), statePath);
  if (state.setId !== manifest.setId || state.generation !== manifest.generation) {
    throw mismatchError(dataDir, [
      {
        member: undefined,
        reason: 'set-id',
        message:
          `the ingest state belongs to set ${state.setId || '(none)'} generation ${state.generation}, ` +
          `the manifest to set ${manifest.setId} generation ${manifest.generation}`,
      },
    ]);
  }
  return { layout: 'set', manifest, state };
}

export interface SetProblem {
  readonly member: string | undefined;
  readonly reason: 'checksum' | 'count' | 'missing' | 'disagree' | 'set-id' | 'manifest';
  readonly message: string;
}

export const MISMATCH_HINT =
  'the members of this index set do not belong together (a file was replaced, copied from another data ' +
  'set, or left behind by an interrupted import); rebuild them with `ragloom ingest --rebuild <paths>`';

export function mismatchError(dataDir: string, problems: readonly SetProblem[]): RagloomError {
  const list = problems.map((p) => `  - ${p.message}`).join('\n');
  return new RagloomError(
    'INDEX_MISMATCH',
    `the index set in ${dataDir} is inconsistent:\n${list}\n  fix: ${MISMATCH_HINT}`,
    { details: { dataDir, problems } },
  );
}

const describeManifest = (m: IndexManifest) =>
  m.kind === 'dense' ? `dense ${m.encoderModelId}/${m.dimension}/${m.metric}` : `sparse ${m.analyzer}`;

/**
 * Checks the members opened from a committed set: each file-based member holds exactly the records the
 * manifest recorded, no configured member is missing from the set, and all members hold the same number
 * of records (every write goes to every member). External members (a remote service) change in place, so
 * a differing count there is only a warning: an ingest that stopped before its commit left some writes.
 */
export async function checkMembers(
  committed: CommittedSet,
  members: readonly OpenMember[],
  fileProblems: readonly SetProblem[],
): Promise<{ problems: SetProblem[]; warnings: string[]; counts: Map<string, number> }> {
  const problems: SetProblem[] = [...fileProblems];
  const warnings: string[] = [];
  const counts = new Map<string, number>();
  const compared: [string, number][] = [];
  for (const m of members) {
    const live = await m.retriever.count();
    counts.set(m.name, live);
    const entry = committed.manifest?.members[m.name];
    if (committed.layout === 'set' && !entry) {
      problems.push({
        member: m.name,
        reason: 'missing',
        message: `retriever "${m.name}" is not part of the set (it was added to the config after the last ingest)`,
      });
      continue;
    }
    if (!entry) {
      compared.push([m.name, live]);
      continue;
    }
    if (entry.storage === 'external') {
      if (live !== entry.count)
        warnings.push(
          `retriever "${m.name}" (${entry.use}) holds ${live} records, the set recorded ${entry.count} ` +
            '(an ingest stopped before its commit; running the same ingest again brings it in line)',
        );
      compared.push([m.name, entry.count]);
      continue;
    }
    compared.push([m.name, live]);
    if (live !== entry.count) {
      problems.push({
        member: m.name,
        reason: 'count',
        message: `retriever "${m.name}" holds ${live} records, the set recorded ${entry.count}`,
      });
    }
    const stored = describeManifest(m.retriever.manifest);
    if (stored !== describeManifest(entry.manifest)) {
      problems.push({
        member: m.name,
        reason: 'manifest',
        message: `retriever "${m.name}" is ${stored}, the set recorded ${describeManifest(entry.manifest)}`,
      });
    }
  }
  const distinct = new Set(compared.map(([, n]) => n));
  if (distinct.size > 1) {
    problems.push({
      member: undefined,
      reason: 'disagree',
      message: `the members hold different numbers of records: ${compared.map(([name, n]) => `${name} ${n}`).join(', ')}`,
    });
  }
  return { problems, warnings, counts };
}

/** Opens each member over its committed files (checked against the manifest first). */
export async function openCommittedMembers(
  dataDir: string,
  committed: CommittedSet,
  specs: readonly MemberSpec[],
): Promise<{ members: OpenMember[]; fileProblems: SetProblem[] }> {
  const members: OpenMember[] = [];
  const fileProblems: SetProblem[] = [];
  try {
    for (const spec of specs) {
      const entry = committed.manifest?.members[spec.name];
      let storageDir: string;
      if (committed.layout === 'legacy') storageDir = join(dataDir, LEGACY_INDEX_DIR, spec.name);
      else if (entry?.storage === 'files' && entry.dir) {
        storageDir = setPath(dataDir, ...entry.dir.split('/'));
        const problem = await compareFiles(storageDir, entry.files);
        if (problem) {
          // A file the plugin cannot read is damaged (its INDEX_CORRUPT propagates); one it reads is an
          // index from elsewhere, and the count check below says how far it is from the set.
          fileProblems.push({
            member: spec.name,
            reason: 'checksum',
            message: `retriever "${spec.name}": ${problem}`,
          });
        }
      } else storageDir = setPath(dataDir, 'external', spec.name); // never written by readers
      members.push({ name: spec.name, use: spec.use, storageDir, retriever: await spec.open(storageDir) });
    }
  } catch (error) {
    await closeMembers(members);
    throw error;
  }
  return { members, fileProblems };
}

export async function closeMembers(members: readonly OpenMember[]): Promise<void> {
  for (const m of members) await m.retriever.close?.().catch(() => {});
}
