import { RagloomError } from '../errors/ragloom-error.js';
import type { Filter } from '../filter/filter-types.js';
import { parseFilter } from '../filter/parse-filter.js';
import type { DeleteSelector } from '../spec/retriever-v1.js';

/** A checked `delete` selector: the ids (duplicates dropped, order kept) or a filter already validated. */
export type DeleteTarget =
  | { readonly kind: 'ids'; readonly ids: readonly string[] }
  | { readonly kind: 'filter'; readonly filter: Filter };

/**
 * Checks what a caller passed to `RetrieverV1.delete` before anything is touched: `{ ids: string[] }` or
 * `{ filter }`, never both (which of the two was meant is unknowable), never neither, and a filter that
 * parses (else INVALID_FILTER) — so a bad request deletes nothing. `{ filter: {} }` matches every record, as the
 * contract says; `{ filter: undefined }` is refused rather than read as "everything".
 */
export function parseDeleteSelector(selector: DeleteSelector, what = 'delete'): DeleteTarget {
  const s: unknown = selector;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) {
    throw new RagloomError('INVALID_ARGUMENT', `${what} expects { ids: string[] } or { filter }`, {
      details: { selector: s === null ? 'null' : typeof s },
    });
  }
  const hasIds = 'ids' in s && s.ids !== undefined;
  const hasFilter = 'filter' in s && s.filter !== undefined;
  if (hasIds === hasFilter) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      hasIds
        ? `${what} takes { ids } or { filter }, not both`
        : `${what} expects { ids: string[] } or { filter }, got keys ${JSON.stringify(Object.keys(s))}`,
    );
  }
  if (hasIds) {
    const ids = (s as { ids: unknown }).ids;
    if (!Array.isArray(ids)) {
      throw new RagloomError('INVALID_ARGUMENT', `${what}({ ids }) expects an array of string ids`);
    }
    const bad = ids.findIndex((id) => typeof id !== 'string');
    if (bad !== -1) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `${what}({ ids }) expects an array of string ids; ids[${bad}] is ${typeof ids[bad]}`,
        { details: { index: bad } },
      );
    }
    return { kind: 'ids', ids: [...new Set(ids as string[])] };
  }
  const filter = (s as { filter: Filter }).filter;
  parseFilter(filter);
  return { kind: 'filter', filter };
}
