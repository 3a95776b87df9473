import { type DenseIndexManifest, type Metadata, RagloomError } from '@ragloom/core';
import { MAX_LEVEL } from './hnsw-graph.js';
import { LIMITS } from './hnsw-options.js';
import { codeBytes, quantizerSectionBytes } from './quantizer.js';

/** A CRC-32 function (core's `crc32`: native zlib in Node, portable elsewhere). */
export type Crc32 = (data: Uint8Array, previous?: number) => number;

/**
 * The index file. All integers are little-endian.
 *
 * ```text
 * offset  size  field
 *      0     8  magic: 89 52 4C 48 4E 53 57 0A  ("\x89RLHNSW\n": the high byte and the newline catch
 *                 7-bit and text-mode transfers, as PNG's signature does)
 *      8     4  u32 format version (1, or 2 for a quantized index)
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
 * Version 2 (written for quantized indexes; version 1 otherwise, so older readers keep reading
 * unquantized files) adds a header field `quantization` — `{ "kind": "int8" | "binary",
 * "version": 1, "trainedOn": n }` — and two sections after `metadata`:
 *
 * | section     | contents                                                                       |
 * | ----------- | ------------------------------------------------------------------------------ |
 * | `quantizer` | quantizer version 1, float32: int8 — offsets[dimension] then scales[dimension]; binary — means[dimension] |
 * | `codes`     | per slot: int8 — dimension u8 codes; binary — ⌈dimension / 8⌉ bytes, bit i = x_i > mean_i |
 *
 * The file ends exactly where the last section ends. Loading checks the magic, the version, both
 * kinds of checksum, every length against the counts, and the graph itself (link targets in range,
 * counts within M, entry point live, vectors finite, ids unique): damage of any kind is
 * `INDEX_CORRUPT`, never a crash or a silently wrong index.
 */
export const INDEX_FORMAT_VERSION = 2;
/** The version written for unquantized indexes (readable by every release). */
export const UNQUANTIZED_FORMAT_VERSION = 1;
export const INDEX_FILE_MAGIC = Uint8Array.of(0x89, 0x52, 0x4c, 0x48, 0x4e, 0x53, 0x57, 0x0a);
const PREFIX_BYTES = 24;
const ALIGN = 64;
/** Versions of the quantizer section this build reads. */
const QUANTIZER_VERSION = 1;

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
export const QUANTIZED_SECTION_NAMES = ['quantizer', 'codes'] as const;
export type SectionName = (typeof SECTION_NAMES)[number] | (typeof QUANTIZED_SECTION_NAMES)[number];

export interface QuantizationHeader {
  readonly kind: 'int8' | 'binary';
  readonly version: number;
  /** Vectors the quantizer was trained on. */
  readonly trainedOn: number;
}

export interface IndexFileHeader {
  readonly format: 'ragloom-hnsw';
  readonly version: number;
  readonly manifest: DenseIndexManifest;
  readonly params: { readonly M: number; readonly efConstruction: number; readonly seed: number };
  readonly graph: GraphCounts;
  readonly quantization?: QuantizationHeader;
  readonly sections: readonly SectionEntry[];
}

export interface GraphCounts {
  readonly slots: number;
  readonly live: number;
  readonly entryPoint: number;
  readonly maxLevel: number;
  readonly randomState: number;
  readonly upperLinksLength: number;
}

export interface SectionEntry {
  readonly name: SectionName;
  readonly offset: number;
  readonly byteLength: number;
  readonly crc32: number;
}

/**
 * The bytes of one section as the writer produces them: re-iterable chunks (read once for the
 * checksum when `crc32` is not known, once for writing), so a section can come from a file
 * without being held in memory.
 */
export interface SectionBody {
  readonly byteLength: number;
  readonly crc32?: number;
  chunks(): Iterable<Uint8Array>;
}

/** A section already in memory. */
export function bodyOf(...chunks: Uint8Array[]): SectionBody {
  return { byteLength: chunks.reduce((n, c) => n + c.byteLength, 0), chunks: () => chunks };
}

/** What the writer needs: the header fields, and the body of each section. */
export interface IndexFileContents {
  readonly manifest: DenseIndexManifest;
  readonly params: IndexFileHeader['params'];
  readonly graph: GraphCounts;
  readonly quantization?: QuantizationHeader;
  readonly sections: Readonly<Partial<Record<SectionName, SectionBody>>>;
}

/** What the reader returns beside the raw sections: checked records, and id → slot. */
export interface DecodedRecords {
  readonly ids: (string | undefined)[];
  readonly texts: string[];
  readonly metadata: Metadata[];
  readonly slotOf: Map<string, number>;
}

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;
export const bytesOf = (a: Int32Array | Uint8Array | Float32Array) =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const RECORD_CHUNK_CHARS = 1 << 22;

/** JSON lines, one value per slot (`null` where `deleted`), in chunks of about 4 MiB. */
export function encodeJsonLines(values: readonly unknown[], deleted: Uint8Array): Uint8Array[] {
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

/** The section names of a file of `version`, in order. */
function sectionNamesOf(quantized: boolean): readonly SectionName[] {
  return quantized ? [...SECTION_NAMES, ...QUANTIZED_SECTION_NAMES] : SECTION_NAMES;
}

/** The encoded file: its length, and its bytes as chunks in order (header first). */
export interface EncodedIndexFile {
  readonly byteLength: number;
  /** The section table written into the header. */
  readonly sections: readonly SectionEntry[];
  chunks(): Iterable<Uint8Array>;
}

/**
 * Serialises an index into the chunks of a file (version 1, or 2 when quantized). Sections are
 * referenced, not copied, where their bytes already exist.
 */
export function encodeIndexFile(contents: IndexFileContents, crc32: Crc32): EncodedIndexFile {
  const quantized = contents.quantization !== undefined;
  const version = quantized ? INDEX_FORMAT_VERSION : UNQUANTIZED_FORMAT_VERSION;
  const names = sectionNamesOf(quantized);
  const bodies = names.map((name) => {
    const body = contents.sections[name];
    if (body === undefined) throw new Error(`section ${name} is missing`);
    return body;
  });
  const crcs = bodies.map((body) => {
    if (body.crc32 !== undefined) return body.crc32;
    let crc = 0;
    for (const chunk of body.chunks()) crc = crc32(chunk, crc);
    return crc;
  });
  // The header's own length moves the section offsets: size it with placeholder offsets of the
  // final width first (offsets only grow as the header grows, so two passes always settle).
  let sections: SectionEntry[] = [];
  let headerBytes = new Uint8Array(0);
  let dataStart = 0;
  for (let pass = 0; pass < 3; pass++) {
    let offset = dataStart;
    sections = names.map((name, i) => {
      const entry = { name, offset, byteLength: bodies[i]!.byteLength, crc32: crcs[i]! };
      offset = align(offset + bodies[i]!.byteLength);
      return entry;
    });
    const header: IndexFileHeader = {
      format: 'ragloom-hnsw',
      version,
      manifest: contents.manifest,
      params: contents.params,
      graph: contents.graph,
      ...(quantized ? { quantization: contents.quantization } : {}),
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
  view.setUint32(8, version, true);
  view.setUint32(12, headerBytes.byteLength, true);
  view.setUint32(16, crc32(headerBytes), true);
  prefix.set(headerBytes, PREFIX_BYTES);
  const last = sections.at(-1)!;
  return {
    byteLength: last.offset + last.byteLength,
    sections,
    *chunks() {
      yield prefix;
      let position = dataStart;
      for (let i = 0; i < names.length; i++) {
        const entry = sections[i]!;
        if (entry.offset > position) yield new Uint8Array(entry.offset - position);
        yield* bodies[i]!.chunks();
        position = entry.offset + entry.byteLength;
      }
    },
  };
}

/** The whole encoded file in one buffer (`toBytes`). */
export function concatenate(file: EncodedIndexFile): Uint8Array {
  const out = new Uint8Array(file.byteLength);
  let offset = 0;
  for (const chunk of file.chunks()) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export function corrupt(source: string, problem: string, details: Record<string, unknown> = {}): never {
  throw new RagloomError('INDEX_CORRUPT', `${source} is not a valid HNSW index file: ${problem}`, {
    details: { file: source, ...details },
  });
}

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

function checkHeader(value: unknown, source: string, fileLength: number, version: number): IndexFileHeader {
  const fail: (what: string) => never = (what) => corrupt(source, `header field ${what}`);
  if (typeof value !== 'object' || value === null) fail('(root) is not an object');
  const h = value as Record<string, unknown>;
  if (h.format !== 'ragloom-hnsw') fail('format is not "ragloom-hnsw"');
  if (h.version !== version) fail(`version is not ${version} (the file's prefix says ${version})`);
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
  const quantized = version >= 2;
  if (quantized) {
    const q = h.quantization as Record<string, unknown> | undefined;
    if (typeof q !== 'object' || q === null) fail('quantization is missing');
    if (q.kind !== 'int8' && q.kind !== 'binary') fail('quantization.kind is not "int8" or "binary"');
    if (q.version !== QUANTIZER_VERSION) {
      corrupt(
        source,
        `quantizer version ${String(q.version)} is not one this build reads (${QUANTIZER_VERSION})`,
        {
          section: 'quantizer',
        },
      );
    }
    if (!isInt(q.trainedOn, 0, 2 ** 31 - 1)) fail('quantization.trainedOn is out of range');
  } else if (h.quantization !== undefined) fail('quantization appears in a version 1 file');
  const names = sectionNamesOf(quantized);
  const sections = h.sections;
  if (!Array.isArray(sections) || sections.length !== names.length)
    fail(`sections is not the version ${version} list`);
  let end = 0;
  sections.forEach((s: unknown, i) => {
    const e = s as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || e.name !== names[i]) {
      fail(`sections[${i}] is not "${names[i]}"`);
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

/**
 * Parses a JSON-lines section as it streams in: `push` complete or partial pieces (in order),
 * `finish` once all bytes are in. Lines are decoded in batches, so a large section is never held
 * whole as bytes and as strings at once.
 */
export class JsonLinesReader {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private pending: Uint8Array = new Uint8Array(0);
  readonly values: unknown[] = [];

  constructor(
    private readonly source: string,
    private readonly name: SectionName,
  ) {}

  push(bytes: Uint8Array): void {
    let data = bytes;
    if (this.pending.byteLength > 0) {
      data = new Uint8Array(this.pending.byteLength + bytes.byteLength);
      data.set(this.pending);
      data.set(bytes, this.pending.byteLength);
    }
    // Cut at the last newline: 0x0A never occurs inside a multi-byte UTF-8 sequence or a JSON string.
    const end = data.lastIndexOf(0x0a) + 1;
    if (end > 0) this.parse(data.subarray(0, end - 1));
    this.pending = data.slice(end);
  }

  finish(slots: number): unknown[] {
    if (this.pending.byteLength > 0) {
      corrupt(this.source, `section "${this.name}" does not end with a newline`, { section: this.name });
    }
    if (this.values.length !== slots) {
      corrupt(this.source, `section "${this.name}" holds ${this.values.length} lines for ${slots} slots`, {
        section: this.name,
      });
    }
    return this.values;
  }

  private parse(bytes: Uint8Array): void {
    let parsed: unknown[];
    try {
      parsed = JSON.parse(`[${this.decoder.decode(bytes).replaceAll('\n', ',')}]`) as unknown[];
    } catch (cause) {
      corrupt(
        this.source,
        `section "${this.name}" is not valid UTF-8 JSON lines (${(cause as Error).message})`,
        { section: this.name },
      );
    }
    for (const value of parsed) this.values.push(value);
  }
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
  if (version !== 1 && version !== INDEX_FORMAT_VERSION) {
    corrupt(
      source,
      version > INDEX_FORMAT_VERSION
        ? `format version ${version} is newer than this build reads (1 and ${INDEX_FORMAT_VERSION}); upgrade @ragloom/retriever-hnsw`
        : `unknown format version ${version}`,
      { version, supported: [1, INDEX_FORMAT_VERSION] },
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
  const header = checkHeader(parsed, source, fileLength, view.getUint32(8, true));
  const { slots, upperLinksLength } = header.graph;
  const dimension = header.manifest.dimension;
  const kind = header.quantization?.kind;
  const expected: Partial<Record<SectionName, number>> = {
    vectors: slots * dimension * 4,
    levels: slots,
    deleted: slots,
    links0: slots * (2 * header.params.M + 1) * 4,
    upperOffsets: slots * 4,
    upperLinks: upperLinksLength * 4,
    ...(kind === undefined
      ? {}
      : { quantizer: quantizerSectionBytes(kind, dimension), codes: slots * codeBytes(kind, dimension) }),
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

/** The graph arrays of a decoded file, checked against each other and the counts. */
export function checkGraph(
  source: string,
  header: IndexFileHeader,
  g: {
    levels: Uint8Array;
    deleted: Uint8Array;
    links0: Int32Array;
    upperOffsets: Int32Array;
    upperLinks: Int32Array;
  },
): void {
  const { slots, entryPoint, maxLevel, live } = header.graph;
  const M = header.params.M;
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
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === null || scalar(v)) continue;
    if (!Array.isArray(v) || !v.every(scalar)) return false;
  }
  return true;
}

/**
 * Checks the record columns slot by slot (deleted slots hold nulls; live ones a non-empty unique
 * id, a text and valid metadata), normalises deleted slots, and returns them with id → slot.
 */
export function checkRecords(
  source: string,
  ids: unknown[],
  texts: unknown[],
  metadata: unknown[],
  deleted: Uint8Array,
): DecodedRecords {
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
  return {
    ids: ids as (string | undefined)[],
    texts: texts as string[],
    metadata: metadata as Metadata[],
    slotOf,
  };
}
