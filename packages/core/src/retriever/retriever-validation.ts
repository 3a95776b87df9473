import { RagloomError } from '../errors/ragloom-error.js';
import type { IndexManifest, RetrieverRecord, SearchRequest } from '../spec/retriever-v1.js';
import type { Metadata } from '../spec/shared-types.js';
import { toValidVector } from '../vector/vector-math.js';

/** Hit order of the Retriever contract: score descending, then id ascending (stable across runs). */
export function compareHits(a: { score: number; id: string }, b: { score: number; id: string }): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function assertPositiveInteger(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RagloomError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${String(value)}`, {
      details: { name, value },
    });
  }
}

/** Checks the parts of a search request every retriever checks the same way; returns the dense query vector if any. */
export function validateSearchRequest(
  request: SearchRequest,
  manifest: IndexManifest,
): Float32Array | undefined {
  if (typeof request !== 'object' || request === null) {
    throw new RagloomError('INVALID_ARGUMENT', 'search request must be an object');
  }
  assertPositiveInteger(request.k, 'k');
  if (manifest.kind === 'dense') {
    if (request.encoderModelId !== undefined && request.encoderModelId !== manifest.encoderModelId) {
      throw new RagloomError(
        'MANIFEST_MISMATCH',
        `query was embedded with "${request.encoderModelId}" but the index was built with "${manifest.encoderModelId}"; ` +
          're-embed the query with the index encoder or rebuild the index',
        { details: { expected: manifest.encoderModelId, actual: request.encoderModelId } },
      );
    }
    if (request.vector === undefined) {
      throw new RagloomError('INVALID_ARGUMENT', 'this retriever is dense: search needs a query `vector`');
    }
    return toValidVector(request.vector, manifest.dimension, 'query vector');
  }
  if (typeof request.text !== 'string') {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      'this retriever is lexical: search needs a query `text` string',
    );
  }
  return undefined;
}

const validId = (id: unknown): id is string => typeof id === 'string' && id.length > 0;

function assertMetadata(metadata: unknown, where: string): asserts metadata is Metadata | undefined {
  if (metadata === undefined) return;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new RagloomError('INVALID_ARGUMENT', `${where}.metadata must be a plain object`);
  }
  for (const [key, value] of Object.entries(metadata)) {
    const ok = (v: unknown) =>
      typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    if (value === null || ok(value) || (Array.isArray(value) && value.every(ok))) continue;
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${where}.metadata.${key} must be a string, finite number, boolean, null or an array of those`,
      { details: { key } },
    );
  }
}

/**
 * Validates records for upsert, the same way in every retriever: ids non-empty strings, text a
 * string, metadata flat, and (dense) a finite vector of the manifest's dimension. Returns the
 * dense vectors as Float32Array (undefined for sparse indexes).
 */
export function validateRecords(
  records: readonly RetrieverRecord[],
  manifest: IndexManifest,
): { vectors: Float32Array[] | undefined } {
  if (!Array.isArray(records))
    throw new RagloomError('INVALID_ARGUMENT', 'upsert expects an array of records');
  const vectors: Float32Array[] | undefined = manifest.kind === 'dense' ? [] : undefined;
  records.forEach((record, i) => {
    const where = `records[${i}]`;
    if (typeof record !== 'object' || record === null) {
      throw new RagloomError('INVALID_ARGUMENT', `${where} must be an object`);
    }
    if (!validId(record.id))
      throw new RagloomError('INVALID_ARGUMENT', `${where}.id must be a non-empty string`);
    if (typeof record.text !== 'string') {
      throw new RagloomError('INVALID_ARGUMENT', `${where}.text must be a string (id "${record.id}")`);
    }
    assertMetadata(record.metadata, where);
    if (manifest.kind === 'dense') {
      if (record.vector === undefined) {
        throw new RagloomError(
          'INVALID_ARGUMENT',
          `${where}.vector is required by a dense index (id "${record.id}")`,
        );
      }
      vectors!.push(toValidVector(record.vector, manifest.dimension, `${where}.vector (id "${record.id}")`));
    }
  });
  return { vectors };
}

/** Two manifests describe compatible indexes (same encoder, dimension, metric / same analyzer). */
export function manifestsMatch(a: IndexManifest, b: IndexManifest): boolean {
  if (a.kind === 'dense' && b.kind === 'dense') {
    return a.encoderModelId === b.encoderModelId && a.dimension === b.dimension && a.metric === b.metric;
  }
  if (a.kind === 'sparse' && b.kind === 'sparse') return a.analyzer === b.analyzer;
  return false;
}

/** Throws MANIFEST_MISMATCH naming every difference between what an index holds and what it is used with. */
export function assertManifestMatches(stored: IndexManifest, expected: IndexManifest, where = 'index'): void {
  if (manifestsMatch(stored, expected)) return;
  const describe = (m: IndexManifest) =>
    m.kind === 'dense'
      ? `dense (encoder "${m.encoderModelId}", dimension ${m.dimension}, ${m.metric})`
      : `sparse (analyzer "${m.analyzer}")`;
  throw new RagloomError(
    'MANIFEST_MISMATCH',
    `${where} was built as ${describe(stored)} but is used as ${describe(expected)}`,
    { details: { stored, expected } },
  );
}
