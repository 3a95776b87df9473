import {
  type FieldNode,
  type Filter,
  type FilterNode,
  type MetadataScalar,
  parseDateTimeMicros,
  parseFilter,
} from '@ragloom/core';

/** Collects statement parameters and hands out their placeholders ($1, $2, …). */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The columns a filter reads: record metadata, and the microsecond instants of its date-time strings. */
export interface FilterColumns {
  readonly metadata: string;
  readonly datetimes: string;
}

/**
 * Postgres text and jsonb hold neither NUL (U+0000) nor lone UTF-16 surrogates, so no stored key or
 * value contains one (upsert refuses them, see `assertStorableString`); a filter naming such a field or
 * value is decided here, without sending it: the field is missing and the value equals nothing.
 */
export function isStorableString(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** JSON text of `{ [key]: value }`, built by hand: a computed `__proto__` key must stay a plain key. */
function objectJson(key: string, value: unknown): string {
  return `{${JSON.stringify(key)}:${JSON.stringify(value)}}`;
}

const storable = (value: MetadataScalar) => typeof value !== 'string' || isStorableString(value);

/** One value of a field, as a jsonb containment test on the metadata: scalar `{f: v}` or array `{f: [v]}`. */
function containmentDocuments(field: string, values: readonly MetadataScalar[]): string[] {
  const documents: string[] = [];
  for (const value of new Set(values)) {
    if (!storable(value)) continue;
    documents.push(objectJson(field, value), objectJson(field, [value]));
  }
  return documents;
}

/**
 * SQL for one field condition with exactly core's semantics (`compileFilterNode`):
 * - `eq`/`in`: some element equals — `metadata @> {"f": v}` matches a scalar field equal to v (jsonb
 *   compares numbers by value and never equates a number, a string and a boolean), `{"f": [v]}` an array
 *   holding v (`{"f":[1,2]} @> {"f":1}` is false in Postgres, so both forms are needed). Both are jsonb
 *   containment, which a GIN index on the metadata answers;
 * - `ne`/`nin`: their negation, so also true when the field is missing or null (the metadata column is
 *   NOT NULL, so `NOT` never meets a SQL NULL);
 * - `exists`: present and neither JSON null nor `[]`;
 * - number ranges: some element is a JSON number in range (strings such as "42" never are);
 * - date-time ranges: some element's instant — computed at upsert with core's own parser into the
 *   `datetimes` column, in microseconds — is in range.
 * Field names and values are parameters, never SQL text.
 */
function fieldSql(node: FieldNode, params: SqlParams, columns: FilterColumns): string {
  const field = node.field;
  if (!isStorableString(field)) {
    // No stored record has this key: the field is missing everywhere.
    const missingMatches = node.op === 'ne' || node.op === 'nin' || (node.op === 'exists' && !node.value);
    return missingMatches ? 'TRUE' : 'FALSE';
  }
  const m = columns.metadata;
  switch (node.op) {
    case 'eq':
    case 'ne':
    case 'in':
    case 'nin': {
      const values = 'values' in node ? node.values : [node.value];
      const documents = containmentDocuments(field, values);
      const positive = node.op === 'eq' || node.op === 'in';
      if (documents.length === 0) return positive ? 'FALSE' : 'TRUE';
      const test =
        documents.length === 2
          ? `(${m} @> ${params.add(documents[0])}::jsonb OR ${m} @> ${params.add(documents[1])}::jsonb)`
          : `(${m} @> ANY(${params.add(documents)}::jsonb[]))`;
      return positive ? test : `(NOT ${test})`;
    }
    case 'exists': {
      const present = `COALESCE((${m} -> ${params.add(field)}) NOT IN ('null'::jsonb, '[]'::jsonb), FALSE)`;
      return node.value ? present : `(NOT ${present})`;
    }
    default: {
      const operator = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[node.op];
      const key = params.add(field);
      if (node.valueKind === 'number') {
        // Compared as jsonb, not cast to numeric: Postgres may evaluate the comparison before the type
        // test, and a cast of a string element would fail; jsonb orders numbers by value and never
        // errors. The type test keeps strings, booleans and nulls out (jsonb sorts them apart).
        const value = `(${m} -> ${key})`;
        const bound = params.add(JSON.stringify(node.value));
        return (
          `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE jsonb_typeof(${value}) WHEN 'array' THEN ${value} ` +
          `ELSE jsonb_build_array(${value}) END) AS element(v) ` +
          `WHERE jsonb_typeof(element.v) = 'number' AND element.v ${operator} ${bound}::jsonb)`
        );
      }
      const instant = parseDateTimeMicros(node.value as string);
      if (instant === undefined) return 'FALSE'; // parseFilter accepted it, so this cannot happen
      const bound = params.add(instant.toString());
      return (
        `EXISTS (SELECT 1 FROM jsonb_array_elements(${columns.datetimes} -> ${key}) AS instant(v) ` +
        `WHERE (instant.v)::numeric ${operator} ${bound}::numeric)`
      );
    }
  }
}

/** SQL for a validated filter AST; `TRUE` for the empty filter. */
export function filterNodeSql(node: FilterNode, params: SqlParams, columns: FilterColumns): string {
  switch (node.type) {
    case 'all':
      return 'TRUE';
    case 'and':
      return `(${node.children.map((c) => filterNodeSql(c, params, columns)).join(' AND ')})`;
    case 'or':
      return `(${node.children.map((c) => filterNodeSql(c, params, columns)).join(' OR ')})`;
    case 'not':
      return `(NOT ${filterNodeSql(node.child, params, columns)})`;
    case 'field':
      return fieldSql(node, params, columns);
  }
}

/**
 * Validates a ragloom filter with core's `parseFilter` (invalid → INVALID_FILTER naming the path) and
 * returns its SQL condition, adding the field names and values to `params`.
 */
export function filterSql(
  filter: Filter | undefined,
  params: SqlParams,
  columns: FilterColumns = { metadata: 'metadata', datetimes: 'datetimes' },
): string {
  return filterNodeSql(parseFilter(filter), params, columns);
}
