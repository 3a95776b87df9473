import { type Metadata, parseDateTimeMicros, RagloomError, type RetrieverRecord } from '@ragloom/core';
import { isStorableString } from './sql-filter.js';

function refuse(where: string, what: string): never {
  throw new RagloomError(
    'INVALID_ARGUMENT',
    `${where} ${what} NUL (U+0000) or a lone UTF-16 surrogate, which Postgres text and jsonb cannot store`,
    { details: { where } },
  );
}

/** Refuses, before anything is sent, the strings Postgres would reject or silently alter. */
export function assertStorable(records: readonly RetrieverRecord[]): void {
  records.forEach((record, i) => {
    const where = `records[${i}]`;
    if (!isStorableString(record.id)) refuse(`${where}.id`, 'contains');
    if (!isStorableString(record.text)) refuse(`${where}.text (id ${JSON.stringify(record.id)})`, 'contains');
    for (const [key, value] of Object.entries(record.metadata ?? {})) {
      if (!isStorableString(key)) refuse(`${where}.metadata key ${JSON.stringify(key)}`, 'contains');
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'string' && !isStorableString(v))) {
        refuse(`${where}.metadata.${key}`, 'holds a string with');
      }
    }
  });
}

/** The metadata as jsonb text. */
export function metadataJson(metadata: Metadata | undefined): string {
  return JSON.stringify(metadata ?? {});
}

/**
 * The `datetimes` column: for each metadata field, the microsecond instants of its values that are
 * date-times in ragloom's grammar (core's `parseDateTimeMicros`, so SQL ranges compare exactly the
 * instants core's evaluator compares). Built as text: instants are BigInts, beyond JSON.stringify, and
 * jsonb keeps them as exact numerics.
 */
export function datetimesJson(metadata: Metadata | undefined): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(metadata ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    const instants: string[] = [];
    for (const v of values) {
      if (typeof v !== 'string') continue;
      const micros = parseDateTimeMicros(v);
      if (micros !== undefined) instants.push(micros.toString());
    }
    if (instants.length > 0) parts.push(`${JSON.stringify(key)}:[${instants.join(',')}]`);
  }
  return `{${parts.join(',')}}`;
}

/** pgvector's text form of a vector: `[x,y,…]`. Float32 values print exactly and parse back exactly. */
export function vectorText(vector: Float32Array): string {
  return `[${vector.join(',')}]`;
}

/** A vector from pgvector's text output (`[1,2.5,-3]`). */
export function parseVectorText(text: string): Float32Array {
  const body = text.trim().slice(1, -1);
  return body.length === 0 ? new Float32Array(0) : Float32Array.from(body.split(','), Number);
}
