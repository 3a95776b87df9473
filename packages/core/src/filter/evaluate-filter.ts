import type { Metadata, MetadataScalar, MetadataValue } from '../spec/shared-types.js';
import { parseDateTimeMicros } from './datetime.js';
import type { Filter, FilterNode } from './filter-types.js';
import { parseFilter } from './parse-filter.js';

export type MetadataPredicate = (metadata: Metadata | undefined) => boolean;

/**
 * The value of a metadata field: own properties only. Metadata comes from JSON and plain objects, so
 * reading `m[field]` would find `constructor`, `toString` or `__proto__` on Object.prototype in every
 * record; here those names are fields like any other, present only where a record has them.
 * Adapters that evaluate filters themselves read fields through this.
 */
export function metadataField(metadata: Metadata | undefined, field: string): MetadataValue | undefined {
  if (metadata === undefined || metadata === null || !Object.hasOwn(metadata, field)) return undefined;
  return metadata[field];
}

function elements(value: MetadataValue | undefined): readonly MetadataScalar[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value as MetadataScalar];
}

function isPresent(value: MetadataValue | undefined): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function rangeTest<T extends number | bigint>(op: 'gt' | 'gte' | 'lt' | 'lte', bound: T): (x: T) => boolean {
  switch (op) {
    case 'gt':
      return (x) => x > bound;
    case 'gte':
      return (x) => x >= bound;
    case 'lt':
      return (x) => x < bound;
    case 'lte':
      return (x) => x <= bound;
  }
}

/**
 * Compiles a validated filter into a predicate over metadata. This is the reference semantics every
 * retriever must reproduce (the conformance suite compares against it):
 * - eq / in on an array field match when any element matches; ne / nin are their negations, so they
 *   also match records without the field;
 * - ranges compare numbers with numbers, date-time strings as microsecond instants (see
 *   `parseDateTimeMicros`); other types never match;
 * - exists is true for a value that is not missing, null or an empty array.
 */
export function compileFilterNode(node: FilterNode): MetadataPredicate {
  switch (node.type) {
    case 'all':
      return () => true;
    case 'and': {
      const parts = node.children.map(compileFilterNode);
      return (m) => parts.every((p) => p(m));
    }
    case 'or': {
      const parts = node.children.map(compileFilterNode);
      return (m) => parts.some((p) => p(m));
    }
    case 'not': {
      const inner = compileFilterNode(node.child);
      return (m) => !inner(m);
    }
    case 'field': {
      const field = node.field;
      switch (node.op) {
        case 'eq': {
          const v = node.value;
          return (m) => elements(metadataField(m, field)).some((x) => x === v);
        }
        case 'ne': {
          const v = node.value;
          return (m) => !elements(metadataField(m, field)).some((x) => x === v);
        }
        case 'in': {
          const set = new Set<MetadataScalar>(node.values);
          return (m) => elements(metadataField(m, field)).some((x) => set.has(x));
        }
        case 'nin': {
          const set = new Set<MetadataScalar>(node.values);
          return (m) => !elements(metadataField(m, field)).some((x) => set.has(x));
        }
        case 'exists': {
          const want = node.value;
          return (m) => isPresent(metadataField(m, field)) === want;
        }
        default: {
          if (node.valueKind === 'number') {
            const test = rangeTest(node.op, node.value as number);
            return (m) => elements(metadataField(m, field)).some((x) => typeof x === 'number' && test(x));
          }
          // Date-times compare as microsecond instants (ragloom's grammar, as in Qdrant's datetime ranges);
          // strings that are not date-times never match.
          const test = rangeTest(node.op, parseDateTimeMicros(node.value as string)!);
          return (m) =>
            elements(metadataField(m, field)).some((x) => {
              if (typeof x !== 'string') return false;
              const t = parseDateTimeMicros(x);
              return t !== undefined && test(t);
            });
        }
      }
    }
  }
}

/** Validates and compiles a filter (see parseFilter for errors, compileFilterNode for semantics). */
export function compileFilter(filter: Filter | undefined): MetadataPredicate {
  return compileFilterNode(parseFilter(filter));
}

/** One-off check of a filter against metadata. Compile once when testing many records. */
export function matchesFilter(filter: Filter | undefined, metadata: Metadata | undefined): boolean {
  return compileFilter(filter)(metadata);
}
