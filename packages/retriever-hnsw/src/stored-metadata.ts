import type { Metadata, MetadataValue } from '@ragloom/core';

/** The metadata of records without any (shared: it is frozen). */
export const EMPTY_METADATA: Metadata = Object.freeze({});

/** The stored copy of a record's metadata: shallow-copied and frozen, so hits can share it safely. */
export function freezeMetadata(metadata: Metadata | undefined): Metadata {
  if (metadata === undefined) return EMPTY_METADATA;
  if (Object.keys(metadata).length === 0) return EMPTY_METADATA;
  // fromEntries defines own properties: an assignment would take a `__proto__` field for the prototype.
  const copy: Record<string, MetadataValue> = Object.fromEntries(
    Object.entries(metadata).map(([key, value]) => [
      key,
      Array.isArray(value) ? Object.freeze([...value]) : value,
    ]),
  );
  return Object.freeze(copy);
}

/** Freezes decoded metadata without copying it (nobody else holds a reference). */
export function freezeInPlace(metadata: Metadata): Metadata {
  let empty = true;
  for (const key in metadata) {
    empty = false;
    const value = metadata[key];
    if (Array.isArray(value)) Object.freeze(value);
  }
  return empty ? EMPTY_METADATA : Object.freeze(metadata);
}
