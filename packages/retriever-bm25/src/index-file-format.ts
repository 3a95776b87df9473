import { crc32, type Metadata, RagloomError, type SparseIndexManifest } from '@ragloom/core';
import type { AnalyzerConfig } from './analyzer.js';
import type { Bm25Parameters } from './bm25-parameters.js';
import type { IndexSnapshot, StoredDocument } from './inverted-index.js';

/**
 * The BM25 index file, version 1 (all integers little-endian):
 *
 *   0   magic  89 52 4C 42 4D 32 35 0A   ("\x89RLBM25\n": binary, and catches text-mode mangling)
 *   8   u32    format version (1)
 *   12  u32    header length H in bytes
 *   16  H      header: UTF-8 JSON (manifest, analyzer, k1/b, counts, section sizes)
 *   ..  sections, each starting on an 8-byte boundary:
 *              documents  UTF-8 JSON [[id, text, metadata], ...]
 *              terms      UTF-8 JSON [term, ...]
 *              lengths    u32 × documents
 *              offsets    u32 × (terms + 1)
 *              docs       u32 × postings
 *              freqs      u32 × postings
 *   end-4 u32   CRC-32 of every byte before it
 *
 * Reading checks the magic, the version, the exact length and the checksum before parsing anything,
 * then every structural invariant; any failure is `INDEX_CORRUPT` naming what was wrong.
 */
export const INDEX_FORMAT_VERSION = 1;
const MAGIC = Uint8Array.of(0x89, 0x52, 0x4c, 0x42, 0x4d, 0x32, 0x35, 0x0a);
const FIXED_HEADER = 16;
const CHECKSUM_BYTES = 4;

export interface IndexFileHeader {
  readonly manifest: SparseIndexManifest;
  readonly analyzer: { readonly id: string; readonly config?: AnalyzerConfig };
  readonly parameters: Bm25Parameters;
}

interface StoredHeader extends IndexFileHeader {
  readonly counts: { readonly documents: number; readonly terms: number; readonly postings: number };
  readonly sectionBytes: { readonly documents: number; readonly terms: number };
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const align8 = (n: number) => Math.ceil(n / 8) * 8;

function u32Bytes(values: Uint32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setUint32(i * 4, v, true);
  });
  return out;
}

function readU32(bytes: Uint8Array, offset: number, count: number): Uint32Array {
  if (LITTLE_ENDIAN) {
    const start = bytes.byteOffset + offset;
    return new Uint32Array(bytes.buffer.slice(start, start + count * 4));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
  return Uint32Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true));
}

/** Serialises a snapshot into the bytes of an index file. */
export function encodeIndexFile(header: IndexFileHeader, snapshot: IndexSnapshot): Uint8Array {
  const encoder = new TextEncoder();
  const documents = encoder.encode(JSON.stringify(snapshot.documents.map((d) => [d.id, d.text, d.metadata])));
  const terms = encoder.encode(JSON.stringify(snapshot.terms));
  const stored: StoredHeader = {
    ...header,
    counts: {
      documents: snapshot.documents.length,
      terms: snapshot.terms.length,
      postings: snapshot.docs.length,
    },
    sectionBytes: { documents: documents.length, terms: terms.length },
  };
  const headerBytes = encoder.encode(JSON.stringify(stored));
  const sections: Uint8Array[] = [
    documents,
    terms,
    u32Bytes(snapshot.lengths),
    u32Bytes(snapshot.offsets),
    u32Bytes(snapshot.docs),
    u32Bytes(snapshot.freqs),
  ];
  let size = align8(FIXED_HEADER + headerBytes.length);
  for (const section of sections) size = align8(size + section.length);
  size += CHECKSUM_BYTES;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(8, INDEX_FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, FIXED_HEADER);
  let at = align8(FIXED_HEADER + headerBytes.length);
  for (const section of sections) {
    out.set(section, at);
    at = align8(at + section.length);
  }
  view.setUint32(size - CHECKSUM_BYTES, crc32(out.subarray(0, size - CHECKSUM_BYTES)), true);
  return out;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

function checkHeader(value: unknown, fail: (message: string) => never): StoredHeader {
  const h = value as Partial<StoredHeader> | null;
  if (typeof h !== 'object' || h === null) fail('the header is not an object');
  const m = h.manifest;
  if (m?.kind !== 'sparse' || typeof m.analyzer !== 'string') fail('the header has no sparse manifest');
  if (typeof h.analyzer?.id !== 'string' || h.analyzer.id !== m.analyzer) {
    fail('the header analyzer does not match the manifest');
  }
  const p = h.parameters;
  if (typeof p?.k1 !== 'number' || typeof p.b !== 'number') fail('the header has no BM25 parameters');
  const c = h.counts;
  if (!isCount(c?.documents) || !isCount(c.terms) || !isCount(c.postings))
    fail('the header counts are invalid');
  const s = h.sectionBytes;
  if (!isCount(s?.documents) || !isCount(s.terms)) fail('the header section sizes are invalid');
  return h as StoredHeader;
}

function checkDocuments(value: unknown, count: number, fail: (message: string) => never): StoredDocument[] {
  if (!Array.isArray(value) || value.length !== count) fail(`expected ${count} stored documents`);
  return value.map((entry: unknown, i) => {
    if (!Array.isArray(entry) || entry.length !== 3) fail(`document ${i} is malformed`);
    const [id, text, metadata] = entry as [unknown, unknown, unknown];
    if (typeof id !== 'string' || id.length === 0 || typeof text !== 'string') {
      fail(`document ${i} has no valid id or text`);
    }
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      fail(`document "${id}" has invalid metadata`);
    }
    return { id, text, metadata: metadata as Metadata };
  });
}

/**
 * Parses and verifies index file bytes. `source` names the file in error messages. Throws
 * `INDEX_CORRUPT` on any damage: wrong magic or version, truncation, checksum or structure.
 */
export function decodeIndexFile(
  bytes: Uint8Array,
  source = 'BM25 index',
): { header: IndexFileHeader; snapshot: IndexSnapshot } {
  const fail = (message: string, details: Record<string, unknown> = {}): never => {
    throw new RagloomError('INDEX_CORRUPT', `${source} is damaged or not a BM25 index: ${message}`, {
      details: { source, ...details },
    });
  };
  if (bytes.length < FIXED_HEADER + CHECKSUM_BYTES || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail('the file does not start with the ragloom BM25 signature');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== INDEX_FORMAT_VERSION) {
    fail(
      `format version ${version} is not supported (this build reads version ${INDEX_FORMAT_VERSION}` +
        (version > INDEX_FORMAT_VERSION ? '; upgrade @ragloom/retriever-bm25)' : ')'),
      { version },
    );
  }
  const stored = view.getUint32(bytes.length - CHECKSUM_BYTES, true);
  const actual = crc32(bytes.subarray(0, bytes.length - CHECKSUM_BYTES));
  if (stored !== actual) fail('checksum mismatch (truncated or modified)', { stored, actual });

  const decoder = new TextDecoder('utf-8', { fatal: true });
  const json = (start: number, length: number, what: string): unknown => {
    if (start + length > bytes.length - CHECKSUM_BYTES) fail(`the ${what} section runs past the end`);
    try {
      return JSON.parse(decoder.decode(bytes.subarray(start, start + length)));
    } catch (cause) {
      return fail(`the ${what} section is not valid JSON (${(cause as Error).message})`);
    }
  };
  const headerLength = view.getUint32(12, true);
  const header = checkHeader(json(FIXED_HEADER, headerLength, 'header'), fail);
  const { counts, sectionBytes } = header;
  let at = align8(FIXED_HEADER + headerLength);
  const documentsAt = at;
  at = align8(at + sectionBytes.documents);
  const termsAt = at;
  at = align8(at + sectionBytes.terms);
  const u32Sections = [counts.documents, counts.terms + 1, counts.postings, counts.postings];
  const u32At: number[] = [];
  for (const count of u32Sections) {
    u32At.push(at);
    at = align8(at + count * 4);
  }
  if (at + CHECKSUM_BYTES !== bytes.length) {
    fail(`the file is ${bytes.length} bytes but its header describes ${at + CHECKSUM_BYTES}`);
  }
  const documents = checkDocuments(
    json(documentsAt, sectionBytes.documents, 'documents'),
    counts.documents,
    fail,
  );
  const terms = json(termsAt, sectionBytes.terms, 'terms');
  if (
    !Array.isArray(terms) ||
    terms.length !== counts.terms ||
    terms.some((t) => typeof t !== 'string' || t.length === 0)
  ) {
    fail(`expected ${counts.terms} terms`);
  }
  const [lengths, offsets, docs, freqs] = u32Sections.map((count, i) => readU32(bytes, u32At[i]!, count)) as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  return {
    header: { manifest: header.manifest, analyzer: header.analyzer, parameters: header.parameters },
    snapshot: { documents, terms: terms as string[], lengths, offsets, docs, freqs },
  };
}
