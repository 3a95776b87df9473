import { RagloomError } from '@ragloom/core';

const MAX_IDENTIFIER_BYTES = 63; // NAMEDATALEN - 1: Postgres silently truncates longer names

/**
 * A table or schema name as a quoted SQL identifier. Names are configuration, not data, but they go into
 * DDL, which takes no parameters: any name is accepted and quoted (`"` doubled), except ones Postgres
 * would truncate or cannot store.
 */
export function quoteIdentifier(name: string, what: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new RagloomError('INVALID_CONFIG', `${what} must be a non-empty string`);
  }
  if (name.includes('\u0000')) throw new RagloomError('INVALID_CONFIG', `${what} must not contain NUL`);
  if (new TextEncoder().encode(name).length > MAX_IDENTIFIER_BYTES) {
    throw new RagloomError(
      'INVALID_CONFIG',
      `${what} ${JSON.stringify(name)} is longer than Postgres's ${MAX_IDENTIFIER_BYTES}-byte limit for names`,
    );
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal for DDL (where parameters cannot go): E'…' with quotes and backslashes escaped. */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000'))
    throw new RagloomError('INVALID_CONFIG', 'a SQL literal must not contain NUL');
  return `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The names of one index's table and the objects derived from it. */
export interface TableNames {
  readonly schema: string;
  readonly table: string;
  /** `"schema"."table"` */
  readonly qualified: string;
  /** `schema.table`, the key of this index in the registry tables. */
  readonly key: string;
  /** `"schema".<name>`: a registry table beside the index table. */
  registry(name: 'ragloom_migrations' | 'ragloom_manifests'): string;
  /** A short derived object name (index), unique per table and purpose, never truncated. */
  derived(purpose: string): string;
}

/** FNV-1a 32-bit, hex: a short stable tag for derived object names. */
function tag(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

export function tableNames(schema: string, table: string): TableNames {
  const quotedSchema = quoteIdentifier(schema, 'schema');
  const quotedTable = quoteIdentifier(table, 'table');
  const key = `${schema}.${table}`;
  return {
    schema,
    table,
    qualified: `${quotedSchema}.${quotedTable}`,
    key,
    registry: (name) => `${quotedSchema}.${quoteIdentifier(name, 'registry table')}`,
    derived: (purpose) => quoteIdentifier(`ragloom_${tag(key)}_${purpose}`, 'index name'),
  };
}
