import type { MetadataScalar } from '../spec/shared-types.js';

/** Range bounds: numbers, or ISO-8601 date-time strings (compared as instants). Never both on one field. */
export type RangeBound = number | string;

/** Operators on one metadata field. Several on one field are ANDed. */
export interface FieldOperators {
  /** Equal; on an array field, any element equal. */
  readonly $eq?: MetadataScalar;
  /** Not $eq (also matches when the field is missing). */
  readonly $ne?: MetadataScalar;
  /** Equal to one of the values; on an array field, any element. */
  readonly $in?: readonly MetadataScalar[];
  /** Not $in (also matches when the field is missing). */
  readonly $nin?: readonly MetadataScalar[];
  readonly $gt?: RangeBound;
  readonly $gte?: RangeBound;
  readonly $lt?: RangeBound;
  readonly $lte?: RangeBound;
  /** true: present, not null and not an empty array. false: the opposite. */
  readonly $exists?: boolean;
}

/** A field condition: a bare scalar means $eq. */
export type FieldCondition = MetadataScalar | FieldOperators;

/**
 * The one filter grammar of ragloom, shared by every retriever: a Mongo-style object.
 *
 * ```ts
 * { category: 'news', year: { $gte: 2020 }, $or: [{ lang: 'en' }, { tags: { $in: ['zh', 'ja'] } }] }
 * ```
 * Keys of one object are ANDed. `{}` matches everything.
 */
export type Filter = {
  readonly $and?: readonly Filter[];
  readonly $or?: readonly Filter[];
  readonly $not?: Filter;
} & {
  readonly [field: string]: FieldCondition | readonly Filter[] | Filter | undefined;
};

export type FieldOperator = 'eq' | 'ne' | 'in' | 'nin' | 'gt' | 'gte' | 'lt' | 'lte' | 'exists';

/** The validated form of a filter, which adapters translate (Qdrant) or evaluate (HNSW, BM25). */
export type FilterNode =
  | { readonly type: 'all' }
  | { readonly type: 'and'; readonly children: readonly FilterNode[] }
  | { readonly type: 'or'; readonly children: readonly FilterNode[] }
  | { readonly type: 'not'; readonly child: FilterNode }
  | {
      readonly type: 'field';
      readonly field: string;
      readonly op: 'eq' | 'ne';
      readonly value: MetadataScalar;
    }
  | {
      readonly type: 'field';
      readonly field: string;
      readonly op: 'in' | 'nin';
      readonly values: readonly MetadataScalar[];
    }
  | {
      readonly type: 'field';
      readonly field: string;
      readonly op: 'gt' | 'gte' | 'lt' | 'lte';
      /** A number, or a date-time string already checked to parse. */
      readonly value: RangeBound;
      readonly valueKind: 'number' | 'datetime';
    }
  | { readonly type: 'field'; readonly field: string; readonly op: 'exists'; readonly value: boolean };

export type FieldNode = Extract<FilterNode, { type: 'field' }>;
