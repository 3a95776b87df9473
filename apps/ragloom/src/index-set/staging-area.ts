import {
  type DeleteSelector,
  RagloomError,
  type RetrieverRecord,
  type RetrieverV1,
  validateRecords,
} from '@ragloom/core';
import { parseDeleteSelector } from '@ragloom/core/adapter';
import type { RetrieverEntry } from '../runtime/open-runtime.js';

export type StagedOperation =
  | { readonly kind: 'upsert'; readonly records: readonly RetrieverRecord[] }
  | { readonly kind: 'delete'; readonly selector: DeleteSelector };

/** Writes recorded for a commit, per member, in the order they were made. */
export interface StagedWrites {
  readonly byMember: ReadonlyMap<string, readonly StagedOperation[]>;
  /** Records staged for upsert, over all members (bounds the memory a checkpoint holds). */
  readonly records: number;
}

export interface StagingArea {
  /** Stand-ins for the retrievers: upserts and deletes are recorded, not applied. */
  readonly entries: readonly RetrieverEntry[];
  /** Records a delete of everything in every member (a rebuild). */
  deleteEverything(): void;
  /** Hands over what was staged so far and starts empty again. */
  take(): StagedWrites;
  readonly stagedRecords: number;
}

/** A checked copy of a delete selector: a bad one fails the request now, not when the commit applies it. */
function validateSelector(selector: DeleteSelector): DeleteSelector {
  const target = parseDeleteSelector(selector);
  return target.kind === 'ids' ? { ids: target.ids } : { filter: target.filter };
}

/**
 * Collects the writes of a request or of an ingest checkpoint without touching the indexes, so that they
 * can be applied to every member together at commit (or dropped, on abort or error). Records are
 * validated against each member's manifest as they are staged: a bad record fails the request that sent
 * it, before anything is applied.
 */
export function createStagingArea(members: readonly RetrieverEntry[]): StagingArea {
  let byMember = new Map<string, StagedOperation[]>(members.map((m) => [m.name, []]));
  let records = 0;
  const stand = (entry: RetrieverEntry): RetrieverV1 => {
    const target = entry.retriever;
    const ops = () => byMember.get(entry.name)!;
    return {
      specificationVersion: target.specificationVersion,
      provider: target.provider,
      manifest: target.manifest,
      // No save: nothing is written until the commit.
      capabilities: { ...target.capabilities, persistent: false },
      async upsert(batch) {
        validateRecords(batch, target.manifest);
        ops().push({ kind: 'upsert', records: [...batch] });
        records += batch.length;
      },
      async delete(selector) {
        ops().push({ kind: 'delete', selector: validateSelector(selector) });
        return { deleted: 0 }; // known only when applied
      },
      search: () =>
        Promise.reject(
          new RagloomError('UNSUPPORTED', 'staged writes cannot be searched before their commit'),
        ),
      count: (filter) => target.count(filter),
    };
  };
  return {
    entries: members.map((m) => ({ ...m, retriever: stand(m) })),
    deleteEverything() {
      for (const ops of byMember.values()) ops.push({ kind: 'delete', selector: { filter: {} } });
    },
    take() {
      const taken: StagedWrites = { byMember, records };
      byMember = new Map(members.map((m) => [m.name, []]));
      records = 0;
      return taken;
    },
    get stagedRecords() {
      return records;
    },
  };
}

/** Applies staged writes to one member, in order. */
export async function applyStaged(retriever: RetrieverV1, ops: readonly StagedOperation[]): Promise<void> {
  for (const op of ops) {
    if (op.kind === 'upsert') await retriever.upsert(op.records);
    else await retriever.delete(op.selector);
  }
}
