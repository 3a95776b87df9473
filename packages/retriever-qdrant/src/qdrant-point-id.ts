import { createHash } from 'node:crypto';
import { RagloomError } from '@ragloom/core';

/**
 * The UUID namespace of ragloom point ids. Fixed forever: changing it would re-key every existing
 * collection. It is also written into each collection's ragloom metadata and checked on open.
 */
export const RAGLOOM_POINT_ID_NAMESPACE = '5b1c2f4e-8a0d-4f39-9c6e-2d7a41e0b6c3';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidBytes(uuid: string): Buffer {
  if (!UUID_PATTERN.test(uuid)) {
    throw new RagloomError('INVALID_ARGUMENT', `"${uuid}" is not a UUID (expected 8-4-4-4-12 hex digits)`);
  }
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * RFC 4122 / RFC 9562 name-based UUID, version 5: SHA-1 over the namespace's 16 bytes followed by
 * the name's UTF-8 bytes, truncated to 16 bytes, with the version and variant bits set.
 */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/**
 * Qdrant point ids are unsigned integers or UUIDs; ragloom ids are arbitrary strings. Every id
 * (even one that already looks like a UUID, so that case variants cannot collide) maps
 * deterministically to a UUIDv5 in ragloom's namespace; the original id lives in the payload.
 */
export function toPointId(id: string): string {
  return uuidV5(id, RAGLOOM_POINT_ID_NAMESPACE);
}
