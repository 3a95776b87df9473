import { parseDeleteSelector } from '../adapter/delete-selector.js';
import { compileFilter } from '../filter/evaluate-filter.js';
import type { Filter } from '../filter/filter-types.js';
import type { DeleteSelector, RetrieverRecord } from '../spec/retriever-v1.js';
import type { Metadata } from '../spec/shared-types.js';
import { throwIfAborted } from '../util/abort.js';

/** The records of a reference in-memory retriever whose metadata a filter allows (validates the filter). */
export function matchingRecords<R extends { readonly metadata: Metadata }>(
  records: ReadonlyMap<string, R>,
  filter: Filter | undefined,
): R[] {
  const predicate = compileFilter(filter);
  return [...records.values()].filter((r) => predicate(r.metadata));
}

/** Deletes by ids (unknown ids ignored) or by filter, as the Retriever contract says. */
export function deleteRecords<R extends { readonly id: string; readonly metadata: Metadata }>(
  records: Map<string, R>,
  selector: DeleteSelector,
): { deleted: number } {
  const target = parseDeleteSelector(selector);
  if (target.kind === 'ids') {
    let deleted = 0;
    for (const id of target.ids) if (records.delete(id)) deleted++;
    return { deleted };
  }
  const doomed = matchingRecords(records, target.filter);
  for (const r of doomed) records.delete(r.id);
  return { deleted: doomed.length };
}

/**
 * The operations both reference retrievers answer the same way from their record map: delete, count and
 * scan (pages of `batchSize`, 1000 by default, each record as `toRecord` gives it back).
 */
export function recordMapOperations<R extends { readonly id: string; readonly metadata: Metadata }>(
  records: Map<string, R>,
  toRecord: (record: R) => RetrieverRecord,
) {
  return {
    async delete(selector: DeleteSelector) {
      return deleteRecords(records, selector);
    },

    async count(filter?: Filter) {
      return filter === undefined ? records.size : matchingRecords(records, filter).length;
    },

    async *scan(opts?: { batchSize?: number; signal?: AbortSignal }) {
      const size = opts?.batchSize ?? 1000;
      let page: RetrieverRecord[] = [];
      // The records as they were when the scan began, whatever is written while it pages.
      for (const r of [...records.values()]) {
        throwIfAborted(opts?.signal, 'scan');
        page.push(toRecord(r));
        if (page.length >= size) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    },
  };
}
