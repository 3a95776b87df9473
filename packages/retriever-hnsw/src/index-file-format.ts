import { type DenseIndexManifest, type Metadata, RagloomError } from '@ragloom/core';

/** A CRC-32 function (core's `crc32`: native zlib in Node, portable elsewhere). */
export type Crc32 = (data: Uint8Array, previous?: number) => number;

import { MAX_LEVEL } from './hnsw-graph.js';
import { LIMITS } from './hnsw-options.js';

/**
 * The index file, format version 1. All integers are little-endian.
 *
 * ```text
 * offset  size  field
 *      0     8  magic: 89 52 4C 48 4E 53 57 0A  ("\x89RLHNSW\n": the high byte and the newline catch
 *                 7-bit and text-mode transfers, as PNG's signature does)
 *      8     4  u32 format version (1)
 *     12     4  u32 byte length H of the header JSON
 *     16     4  u32 CRC-32 of the header JSON
 *     20     4  reserved, 0
 *     24     H  header JSON, UTF-8 (below)
 *   ...         zero padding to a multiple of 64, then the sections, each starting at a multiple of 64
 * ```
 *
 * The header JSON holds `format` ("ragloom-hnsw"), `version`, the `manifest` (encoder model id,
 * dimension, metric), the graph `params` (M, efConstruction, seed), the `graph` counts (slots,
 * live records, entry point, top level, level-generator state, upper-link pool length) and
 * `sections`: for each, its name, offset, byte length and CRC-32. The sections, in file order:
 *
 * | section        | contents                                                                 |
 * | -------------- | ------------------------------------------------------------------------ |
 * | `vectors`      | float32 × dimension per slot                                             |
 * | `levels`       | u8 per slot: the node's top level                                        |
 * | `deleted`      | u8 per slot: 1 = tombstone                                               |
 * | `links0`       | int32 × (2M + 1) per slot: level-0 neighbour count, then the neighbours  |
 * | `upperOffsets` | int32 per slot: start of the node's lists in `upperLinks`, -1 if none    |
 * | `upperLinks`   | int32 pool: per level ≥ 1 of a node, M + 1 entries (count, neighbours)    |
 * | `ids`          | UTF-8 JSON lines, one per slot: the id (a string), `null` if deleted      |
 * | `texts`        | UTF-8 JSON lines, one per slot: the text, `null` if deleted                |
 * | `metadata`     | UTF-8 JSON lines, one per slot: the metadata object, `null` if deleted     |
 *
 * The file ends exactly where the last section ends. Loading checks the magic, the version, both
 * kinds of checksum, every length against the counts, and the graph itself (link targets in range,
 * counts within M, entry point live, vectors finite, ids unique): damage of any kind is
 * `INDEX_CORRUPT`, never a crash or a silently wrong index.
 */
export const INDEX_FORMAT_VERSION = 1;
export const INDEX_FILE_MAGIC = Uint8Array.of(0x89, 0x52, 0x4c, 0x48, 0x4e, 0x53, 0x57, 0x0a);
const PREFIX_BYTES = 24;
const ALIGN = 64;

export const SECTION_NAMES = [
  'vectors',
  'levels',
  'deleted',
  'links0',
  'upperOffsets',
  'upperLinks',
  'ids',
  'texts',
  'metadata',
] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export interface IndexFileHeader {
  readonly format: 'ragloom-hnsw';
  readonly version: number;
  readonly manifest: DenseIndexManifest;
  readonly params: { readonly M: number; readonly efConstruction: number; readonly seed: number };
  readonly graph: {
    readonly slots: number;
    readonly live: number;
    readonly entryPoint: number;
    readonly maxLevel: number;
    readonly randomState: number;
    readonly upperLinksLength: number;
  };
  readonly sections: readonly SectionEntry[];
}

export interface SectionEntry {
  readonly name: SectionName;
  readonly offset: number;
  readonly byteLength: number;
  readonly crc32: number;
}

/** What an index consists of, as written and as read back. */
export interface IndexContents {
  readonly manifest: DenseIndexManifest;
  readonly params: IndexFileHeader['params'];
  readonly graph: IndexFileHeader['graph'];
  /** Unpadded float32 vectors, slot-major (possibly several chunks when writing). */
  readonly vectors: readonly Uint8Array[];
  readonly levels: Uint8Array;
  readonly deleted: Uint8Array;
  readonly links0: Int32Array;
  readonly upperOffsets: Int32Array;
  readonly upperLinks: Int32Array;
  /** Per slot; undefined for deleted slots. */
  readonly ids: readonly (string | undefined)[];
  readonly texts: readonly string[];
  readonly metadata: readonly Metadata[];
}

/** What decoding adds: the id → slot map built while checking that ids are unique. */
export interface DecodedIndex extends IndexContents {
  readonly slotOf: Map<string, number>;
}

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;
const bytesOf = (a: Int32Array | Uint8Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const RECORD_CHUNK_CHARS = 1 << 22;

/** JSON lines, one value per slot (`null` where `deleted`), in chunks of about 4 MiB. */
function encodeJsonLines(values: readonly unknown[], deleted: Uint8Array): Uint8Array[] {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let lines: string[] = [];
  let chars = 0;
  for (let slot = 0; slot < values.length; slot++) {
    const line = deleted[slot] === 0 ? JSON.stringify(values[slot]) : 'null';
    lines.push(line);
    chars += line.length + 1;
    if (chars >= RECORD_CHUNK_CHARS) {
      chunks.push(encoder.encode(`${lines.join('\n')}\n`));
      lines = [];
      chars = 0;
    }
  }
  if (lines.length > 0) chunks.push(encoder.encode(`${lines.join('\n')}\n`));
  return chunks;
}

/**
 * Serialises an index into the chunks of a version-1 file, in order (header first). Sections are
 * referenced, not copied, where their bytes already exist.
 */
export function encodeIndexFile(contents: IndexContents, crc32: Crc32): Uint8Array[] {
  const bodies: Record<SectionName, readonly Uint8Array[]> = {
    vectors: contents.vectors,
    levels: [contents.levels],
    deleted: [contents.deleted],
    links0: [bytesOf(contents.links0)],
    upperOffsets: [bytesOf(contents.upperOffsets)],
    upperLinks: [bytesOf(contents.upperLinks)],
    ids: encodeJsonLines(contents.ids, contents.deleted),
    texts: encodeJsonLines(contents.texts, contents.deleted),
    metadata: encodeJsonLines(contents.metadata, contents.deleted),
  };
  const lengths = SECTION_NAMES.map((name) => bodies[name].reduce((n, c) => n + c.byteLength, 0));
  const crcs = SECTION_NAMES.map((name) => bodies[name].reduce((crc, c) => crc32(c, crc), 0));
  // The header's own length moves the section offsets: size it with placeholder offsets of the
  // final width first (offsets only grow as the header grows, so two passes always settle).
  let sections: SectionEntry[] = [];
  let headerBytes = new Uint8Array(0);
  let dataStart = 0;
  for (let pass = 0; pass < 3; pass++) {
    let offset = dataStart;
    sections = SECTION_NAMES.map((name, i) => {
      const entry = { name, offset, byteLength: lengths[i]!, crc32: crcs[i]! };
      offset = align(offset + lengths[i]!);
      return entry;
    });
    const header: IndexFileHeader = {
      format: 'ragloom-hnsw',
      version: INDEX_FORMAT_VERSION,
      manifest: contents.manifest,
      params: contents.params,
      graph: contents.graph,
      sections,
    };
    headerBytes = new TextEncoder().encode(JSON.stringify(header));
    const start = align(PREFIX_BYTES + headerBytes.byteLength);
    if (start === dataStart) break;
    dataStart = start;
  }
  const prefix = new Uint8Array(dataStart);
  prefix.set(INDEX_FILE_MAGIC, 0);
  const view = new DataView(prefix.buffer);
  view.setUint32(8, INDEX_FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.byteLength, true);
  view.setUint32(16, crc32(headerBytes), true);
  prefix.set(headerBytes, PREFIX_BYTES);

  const out: Uint8Array[] = [prefix];
  let position = dataStart;
  SECTION_NAMES.forEach((name, i) => {
    const entry = sections[i]!;
    if (entry.offset > position) out.push(new Uint8Array(entry.offset - position));
    out.push(...bodies[name]);
    position = entry.offset + entry.byteLength;
  });
  return out;
}

function corrupt(source: string, problem: string, details: Record<string, unknown> = {}): never {
  throw new RagloomError('INDEX_CORRUPT', `${source} is not a valid HNSW index file: ${problem}`, {
    details: { file: source, ...details },
  });
}

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

function checkHeader(value: unknown, source: string, fileLength: number): IndexFileHeader {
  const fail: (what: string) => never = (what) => corrupt(source, `header field ${what}`);
  if (typeof value !== 'object' || value === null) fail('(root) is not an object');
  const h = value as Record<string, unknown>;
  if (h.format !== 'ragloom-hnsw') fail('format is not "ragloom-hnsw"');
  const m = h.manifest as Record<string, unknown> | undefined;
  if (typeof m !== 'object' || m === null || m.kind !== 'dense') fail('manifest is not a dense manifest');
  if (typeof m.encoderModelId !== 'string') fail('manifest.encoderModelId is not a string');
  if (!isInt(m.dimension, 1, LIMITS.dimension)) fail('manifest.dimension is out of range');
  if (m.metric !== 'cosine' && m.metric !== 'dot' && m.metric !== 'l2') fail('manifest.metric is unknown');
  const p = h.params as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null) fail('params is missing');
  if (!isInt(p.M, 2, LIMITS.M)) fail('params.M is out of range');
  if (!isInt(p.efConstruction, 1, LIMITS.efConstruction)) fail('params.efConstruction is out of range');
  if (!isInt(p.seed, 0, 2 ** 31 - 1)) fail('params.seed is out of range');
  const g = h.graph as Record<string, unknown> | undefined;
  if (typeof g !== 'object' || g === null) fail('graph is missing');
  if (!isInt(g.slots, 0, 2 ** 31 - 1)) fail('graph.slots is out of range');
  const slots = g.slots as number;
  if (!isInt(g.live, 0, slots)) fail('graph.live is out of range');
  if (!isInt(g.entryPoint, -1, slots - 1)) fail('graph.entryPoint is out of range');
  if (!isInt(g.maxLevel, -1, MAX_LEVEL)) fail('graph.maxLevel is out of range');
  if (!isInt(g.randomState, -(2 ** 31), 2 ** 31 - 1)) fail('graph.randomState is out of range');
  if (!isInt(g.upperLinksLength, 0, 2 ** 31 - 1)) fail('graph.upperLinksLength is out of range');
  if ((g.live === 0) !== (g.entryPoint === -1)) fail('graph.entryPoint disagrees with graph.live');
  const sections = h.sections;
  if (!Array.isArray(sections) || sections.length !== SECTION_NAMES.length)
    fail('sections is not the v1 list');
  let end = 0;
  sections.forEach((s: unknown, i) => {
    const e = s as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || e.name !== SECTION_NAMES[i]) {
      fail(`sections[${i}] is not "${SECTION_NAMES[i]}"`);
    }
    if (!isInt(e.offset, end, Number.MAX_SAFE_INTEGER) || (e.offset as number) % ALIGN !== 0) {
      fail(`sections[${i}].offset is misplaced`);
    }
    if (!isInt(e.byteLength, 0, Number.MAX_SAFE_INTEGER)) fail(`sections[${i}].byteLength is invalid`);
    if (!isInt(e.crc32, 0, 0xffffffff)) fail(`sections[${i}].crc32 is invalid`);
    end = (e.offset as number) + (e.byteLength as number);
  });
  if (end !== fileLength) {
    corrupt(
      source,
      end > fileLength
        ? `the file is truncated (${fileLength} bytes, the sections need ${end})`
        : `${fileLength - end} unexpected bytes after the last section`,
      { expectedBytes: end, actualBytes: fileLength },
    );
  }
  return value as IndexFileHeader;
}

function decodeJsonLines(bytes: Uint8Array, source: string, name: SectionName, slots: number): unknown[] {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let out: unknown[] = [];
  let start = 0;
  const chunkBytes = 1 << 24;
  while (start < bytes.length) {
    // Cut at a newline: 0x0A never occurs inside a multi-byte UTF-8 sequence or a JSON string.
    let end = Math.min(bytes.length, start + chunkBytes);
    while (end < bytes.length && bytes[end - 1] !== 0x0a) end++;
    if (bytes[end - 1] !== 0x0a) corrupt(source, `section "${name}" does not end with a newline`);
    let parsed: unknown[];
    try {
      const text = decoder.decode(bytes.subarray(start, end - 1));
      parsed = JSON.parse(`[${text.replaceAll('\n', ',')}]`) as unknown[];
    } catch (cause) {
      corrupt(source, `section "${name}" is not valid UTF-8 JSON lines (${(cause as Error).message})`);
    }
    out = out.length === 0 ? parsed : out.concat(parsed);
    start = end;
  }
  if (out.length !== slots) corrupt(source, `section "${name}" holds ${out.length} lines for ${slots} slots`);
  return out;
}

/** Bytes at the start of a file that hold its header length (read these first, then the header). */
export const INDEX_PREFIX_BYTES = PREFIX_BYTES;

/**
 * Checks the fixed prefix (magic, version) and returns the byte length of the whole header
 * (prefix + JSON) to read next.
 */
export function indexHeaderLength(prefix: Uint8Array, source: string): number {
  if (prefix.byteLength < PREFIX_BYTES) corrupt(source, `only ${prefix.byteLength} bytes`);
  for (let i = 0; i < INDEX_FILE_MAGIC.length; i++) {
    if (prefix[i] !== INDEX_FILE_MAGIC[i])
      corrupt(source, 'wrong magic bytes (not written by retriever-hnsw)');
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const version = view.getUint32(8, true);
  if (version !== INDEX_FORMAT_VERSION) {
    corrupt(
      source,
      version > INDEX_FORMAT_VERSION
        ? `format version ${version} is newer than this build reads (${INDEX_FORMAT_VERSION}); upgrade @ragloom/retriever-hnsw`
        : `unknown format version ${version}`,
      { version, supported: INDEX_FORMAT_VERSION },
    );
  }
  return PREFIX_BYTES + view.getUint32(12, true);
}

/**
 * Verifies and parses the header (`bytes` = the first `indexHeaderLength` bytes of a file of
 * `fileLength` bytes): checksum, fields, and that every section has exactly the length its counts
 * imply, so a reader can allocate each section before reading it.
 */
export function parseIndexHeader(
  bytes: Uint8Array,
  source: string,
  fileLength: number,
  crc32: Crc32,
): IndexFileHeader {
  const headerEnd = indexHeaderLength(bytes, source);
  if (headerEnd > fileLength || headerEnd > bytes.byteLength) corrupt(source, 'the header is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = bytes.subarray(PREFIX_BYTES, headerEnd);
  if (crc32(headerBytes) !== view.getUint32(16, true)) corrupt(source, 'header checksum mismatch');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    corrupt(source, 'the header is not valid JSON');
  }
  const header = checkHeader(parsed, source, fileLength);
  const { slots, upperLinksLength } = header.graph;
  const expected: Record<SectionName, number | undefined> = {
    vectors: slots * header.manifest.dimension * 4,
    levels: slots,
    deleted: slots,
    links0: slots * (2 * header.params.M + 1) * 4,
    upperOffsets: slots * 4,
    upperLinks: upperLinksLength * 4,
    ids: undefined,
    texts: undefined,
    metadata: undefined,
  };
  for (const entry of header.sections) {
    const want = expected[entry.name];
    if (want !== undefined && entry.byteLength !== want) {
      corrupt(source, `section "${entry.name}" has ${entry.byteLength} bytes, expected ${want}`, {
        section: entry.name,
      });
    }
  }
  return header;
}

/**
 * Verifies the sections of a parsed header (checksums, then the graph and the records) and
 * assembles the index. With `copy`, typed arrays are copied out of `sections` (so a large file
 * buffer is not kept alive); without, they are views of it.
 */
export function decodeIndexSections(
  header: IndexFileHeader,
  sections: Readonly<Record<SectionName, Uint8Array>>,
  source: string,
  crc32: Crc32,
  copy: boolean,
  /** Sections the caller verifies itself (the loader checks `vectors` as it streams them in). */
  checkedElsewhere: ReadonlySet<SectionName> = new Set(),
): DecodedIndex {
  const { manifest, params, graph } = header;
  for (const entry of header.sections) {
    if (!checkedElsewhere.has(entry.name))
      checkSectionChecksum(header, entry.name, crc32(sections[entry.name]), source);
  }
  const int32s = (data: Uint8Array) => {
    if (!copy && data.byteOffset % 4 === 0)
      return new Int32Array(data.buffer, data.byteOffset, data.byteLength / 4);
    const out = new Int32Array(data.byteLength / 4);
    new Uint8Array(out.buffer).set(data);
    return out;
  };
  const levels = copy ? sections.levels.slice() : sections.levels;
  const deleted = copy ? sections.deleted.slice() : sections.deleted;
  const links0 = int32s(sections.links0);
  const upperOffsets = int32s(sections.upperOffsets);
  const upperLinks = int32s(sections.upperLinks);
  checkGraph(source, { params, graph, levels, deleted, links0, upperOffsets, upperLinks });
  const ids = decodeJsonLines(sections.ids, source, 'ids', graph.slots);
  const texts = decodeJsonLines(sections.texts, source, 'texts', graph.slots);
  const metadata = decodeJsonLines(sections.metadata, source, 'metadata', graph.slots);
  const slotOf = checkRecords(source, ids, texts, metadata, deleted);
  return {
    manifest,
    params,
    graph,
    vectors: [sections.vectors],
    levels,
    deleted,
    links0,
    upperOffsets,
    upperLinks,
    ids: ids as (string | undefined)[],
    texts: texts as string[],
    metadata: metadata as Metadata[],
    slotOf,
  };
}

/** Throws `INDEX_CORRUPT` when `crc` is not the stored checksum of the section. */
export function checkSectionChecksum(
  header: IndexFileHeader,
  name: SectionName,
  crc: number,
  source: string,
): void {
  const entry = header.sections.find((s) => s.name === name)!;
  if (crc !== entry.crc32) corrupt(source, `checksum mismatch in section "${name}"`, { section: name });
}

/** Parses and verifies a whole version-1 index file held in memory (see the format above). */
export function decodeIndexFile(bytes: Uint8Array, source: string, crc32: Crc32): DecodedIndex {
  const header = parseIndexHeader(bytes, source, bytes.byteLength, crc32);
  const sections = {} as Record<SectionName, Uint8Array>;
  for (const entry of header.sections) {
    sections[entry.name] = bytes.subarray(entry.offset, entry.offset + entry.byteLength);
  }
  return decodeIndexSections(header, sections, source, crc32, true);
}

function checkGraph(
  source: string,
  g: Pick<
    IndexContents,
    'params' | 'graph' | 'levels' | 'deleted' | 'links0' | 'upperOffsets' | 'upperLinks'
  >,
): void {
  const { slots, entryPoint, maxLevel, live } = g.graph;
  const M = g.params.M;
  const M0 = 2 * M;
  const strideUpper = M + 1;
  let deletedCount = 0;
  let topLevel = -1;
  const checkList = (links: Int32Array, base: number, max: number, slot: number, level: number) => {
    const count = links[base]!;
    if (count < 0 || count > max)
      corrupt(source, `slot ${slot} has ${count} links on level ${level} (max ${max})`);
    for (let j = 1; j <= count; j++) {
      const target = links[base + j]!;
      if (target < 0 || target >= slots || target === slot) {
        corrupt(source, `slot ${slot} links to ${target} on level ${level}`);
      }
      if (g.levels[target]! < level)
        corrupt(source, `slot ${slot} links to ${target}, which is not on level ${level}`);
    }
  };
  for (let s = 0; s < slots; s++) {
    const d = g.deleted[s]!;
    if (d > 1) corrupt(source, `deleted flag of slot ${s} is ${d}`);
    deletedCount += d;
    const level = g.levels[s]!;
    if (level > MAX_LEVEL) corrupt(source, `slot ${s} is on level ${level}, above the limit ${MAX_LEVEL}`);
    if (d === 0 && level > topLevel) topLevel = level;
    checkList(g.links0, s * (M0 + 1), M0, s, 0);
    const offset = g.upperOffsets[s]!;
    if (level === 0) {
      if (offset !== -1) corrupt(source, `slot ${s} on level 0 has upper links`);
      continue;
    }
    if (offset < 0 || offset + level * strideUpper > g.upperLinks.length) {
      corrupt(source, `upper links of slot ${s} lie outside the pool`);
    }
    for (let l = 1; l <= level; l++) checkList(g.upperLinks, offset + (l - 1) * strideUpper, M, s, l);
  }
  if (slots - deletedCount !== live)
    corrupt(source, `${slots - deletedCount} live slots, the header says ${live}`);
  if (topLevel !== maxLevel)
    corrupt(source, `the top live level is ${topLevel}, the header says ${maxLevel}`);
  if (live > 0 && (g.deleted[entryPoint] !== 0 || g.levels[entryPoint] !== maxLevel)) {
    corrupt(source, 'the entry point is not a live node on the top level');
  }
}

/** The metadata rule of core's validateRecords: a plain object of scalars, null, or arrays of scalars. */
function validMetadata(value: unknown): value is Metadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const scalar = (v: unknown) =>
    typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v === null || scalar(v)) continue;
    if (!Array.isArray(v) || !v.every(scalar)) return false;
  }
  return true;
}

/**
 * Checks the record columns slot by slot (deleted slots hold nulls; live ones a non-empty unique
 * id, a text and valid metadata), normalises deleted slots, and returns id → slot.
 */
function checkRecords(
  source: string,
  ids: unknown[],
  texts: unknown[],
  metadata: unknown[],
  deleted: Uint8Array,
): Map<string, number> {
  const slotOf = new Map<string, number>();
  const empty: Metadata = Object.freeze({});
  for (let slot = 0; slot < ids.length; slot++) {
    const id = ids[slot];
    if (deleted[slot] === 1) {
      if (id !== null || texts[slot] !== null || metadata[slot] !== null) {
        corrupt(source, `deleted slot ${slot} still has a record`);
      }
      ids[slot] = undefined;
      texts[slot] = '';
      metadata[slot] = empty;
      continue;
    }
    if (typeof id !== 'string' || id.length === 0)
      corrupt(source, `the id of slot ${slot} is not a non-empty string`);
    if (typeof texts[slot] !== 'string') corrupt(source, `the text of "${id}" is not a string`);
    if (!validMetadata(metadata[slot])) corrupt(source, `the metadata of "${id}" is not flat metadata`);
    if (slotOf.has(id)) corrupt(source, `id "${id}" is stored twice`);
    slotOf.set(id, slot);
  }
  return slotOf;
}
