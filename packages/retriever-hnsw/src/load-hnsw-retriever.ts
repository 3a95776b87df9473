import {
  assertManifestMatches,
  crc32,
  type DenseIndexManifest,
  RagloomError,
  throwIfAborted,
} from '@ragloom/core';
import { type CodeKernel, createCodeKernel } from './code-kernel.js';
import { referenceDot } from './exact-scores.js';
import { FileFloatVectors } from './file-float-vectors.js';
import { type GraphSections, HnswGraph } from './hnsw-graph.js';
import {
  type HnswLoadOptions,
  type HnswRetrieverOptions,
  type ParsedLoadOptions,
  parseLoadOptions,
  type ResolvedRuntimeOptions,
  runtimeOf,
} from './hnsw-options.js';
import {
  buildRetriever,
  createHnswRetriever,
  type HnswRetriever,
  type IndexParams,
  isPersistentHnswRetriever,
  type PersistentHnswRetriever,
  parallelBuildPossible,
} from './hnsw-retriever.js';
import {
  checkGraph,
  checkRecords,
  checkSectionChecksum,
  type DecodedRecords,
  INDEX_PREFIX_BYTES,
  type IndexFileHeader,
  indexHeaderLength,
  JsonLinesReader,
  parseIndexHeader,
  type SectionEntry,
  type SectionName,
} from './index-file-format.js';
import { createIndexState, liveSlots } from './index-state.js';
import { type Quantization, quantizerFromBytes } from './quantizer.js';
import { RecordStore } from './record-store.js';
import { createVectorKernel } from './select-kernel.js';
import { allocateArray } from './shared-arrays.js';
import { freezeInPlace } from './stored-metadata.js';
import type { VectorKernel } from './vector-kernel.js';
import { VectorStore } from './vector-store.js';

/** The manifest a loaded index must have: the stored one, overridden by what the caller expects. */
function checkExpectedManifest(
  stored: DenseIndexManifest,
  options: ParsedLoadOptions,
  source: string,
): DenseIndexManifest {
  const expected: DenseIndexManifest = {
    kind: 'dense',
    encoderModelId: options.encoderModelId ?? stored.encoderModelId,
    dimension: options.dimension ?? stored.dimension,
    metric: options.metric ?? stored.metric,
  };
  assertManifestMatches(stored, expected, source);
  return {
    kind: 'dense',
    encoderModelId: stored.encoderModelId,
    dimension: stored.dimension,
    metric: stored.metric,
  };
}

/** What a load will do with a file, decided from its header and the options before reading. */
interface LoadPlan {
  readonly manifest: DenseIndexManifest;
  readonly params: IndexParams;
  /** Codes come from the file (same quantization, trained): else none, or trained anew. */
  readonly reuseCodes: boolean;
  /** The float vectors end up read from the file rather than held in memory. */
  readonly floatsInFile: boolean;
  /** Graph arrays and kernel memory are allocated shared (builder threads can attach). */
  readonly shared: boolean;
}

function planLoad(
  header: IndexFileHeader,
  options: ParsedLoadOptions,
  runtime: ResolvedRuntimeOptions,
  source: string,
  fileBacked: boolean,
): LoadPlan {
  const manifest = checkExpectedManifest(header.manifest, options, source);
  const stored: Quantization = header.quantization?.kind ?? 'none';
  const quantization = options.quantization ?? stored;
  const reuseCodes = quantization === stored && stored !== 'none' && header.quantization!.trainedOn > 0;
  const floatsInFile = fileBacked && quantization !== 'none' && (runtime.floatVectors ?? 'file') === 'file';
  return {
    manifest,
    params: { ...header.params, quantization },
    reuseCodes,
    floatsInFile,
    shared: !floatsInFile && parallelBuildPossible(runtime.buildThreads),
  };
}

/** Graph sections of a file (int32 sections 4-byte aligned, shared when builders may attach). */
function graphTargets(header: IndexFileHeader, shared: boolean): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const entry of header.sections) {
    if (entry.name === 'levels' || entry.name === 'deleted') {
      out[entry.name] = allocateArray(Uint8Array, entry.byteLength, shared);
    } else if (entry.name === 'links0' || entry.name === 'upperOffsets' || entry.name === 'upperLinks') {
      const ints = allocateArray(Int32Array, entry.byteLength / 4, shared);
      out[entry.name] = new Uint8Array(ints.buffer, ints.byteOffset, ints.byteLength);
    }
  }
  return out;
}

function graphSections(
  header: IndexFileHeader,
  bytes: Record<string, Uint8Array>,
  source: string,
): GraphSections {
  const ints = (name: SectionName) => {
    const b = bytes[name]!;
    return new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  };
  const sections: GraphSections = {
    slots: header.graph.slots,
    entryPoint: header.graph.entryPoint,
    maxLevel: header.graph.maxLevel,
    randomState: header.graph.randomState,
    levels: bytes.levels!,
    deleted: bytes.deleted!,
    links0: ints('links0'),
    upperOffsets: ints('upperOffsets'),
    upperLinks: ints('upperLinks'),
  };
  checkGraph(source, header, sections);
  return sections;
}

function decodedRecords(
  source: string,
  readers: Record<'ids' | 'texts' | 'metadata', JsonLinesReader>,
  slots: number,
  deleted: Uint8Array,
): DecodedRecords {
  const records = checkRecords(
    source,
    readers.ids.finish(slots),
    readers.texts.finish(slots),
    readers.metadata.finish(slots),
    deleted,
  );
  // The decoded columns are private to this index: adopt them, freezing metadata in place.
  for (let slot = 0; slot < slots; slot++) records.metadata[slot] = freezeInPlace(records.metadata[slot]!);
  return records;
}

function notFinite(source: string, slot: number): never {
  throw new RagloomError(
    'INDEX_CORRUPT',
    `${source} is not a valid HNSW index file: vector ${slot} is not finite`,
    {
      details: { file: source, slot },
    },
  );
}

/** Assembles the retriever once every section is in and checked. */
function assemble(
  plan: LoadPlan,
  runtime: ResolvedRuntimeOptions,
  header: IndexFileHeader,
  graph: GraphSections,
  records: DecodedRecords,
  floats: { kernel: VectorKernel } | { file: FileFloatVectors },
  codes: CodeKernel | null,
  vectorsCrc: number | undefined,
): HnswRetriever {
  const { manifest, params } = plan;
  const kernel = 'kernel' in floats ? floats.kernel : null;
  const vectors = new VectorStore(
    manifest.dimension,
    manifest.metric,
    params.quantization,
    runtime.kernel,
    kernel,
    'file' in floats ? floats.file : null,
    codes,
    codes === null ? 0 : header.quantization!.trainedOn,
  );
  const hnswGraph = HnswGraph.fromSections(
    vectors.build ?? kernel!,
    params,
    graph,
    plan.shared && kernel?.sharedHandle() != null,
  );
  const state = createIndexState(
    hnswGraph,
    vectors,
    new RecordStore(records.ids, records.texts, records.metadata, records.slotOf),
  );
  // Another quantization than the file's (or none trained yet): trained now, on the floats in memory.
  if (codes === null) vectors.trainIfDue(hnswGraph.size, () => liveSlots(hnswGraph));
  return buildRetriever(manifest, params, runtime, state, { vectorsCrc });
}

/** Codes of a file-backed load, read in chunks straight into the code kernel. */
const CHUNK_BYTES = 8 << 20;
/** Vector chunks read ahead of the checksum. */
const READS_AHEAD = 3;

/**
 * Opens an index file written by `save()`. Everything is verified: damage (truncation, a flipped
 * byte, another format version) is `INDEX_CORRUPT`, a missing file `NOT_FOUND`, and a manifest
 * other than the expected one (when `encoderModelId`/`dimension`/`metric` are given)
 * `MANIFEST_MISMATCH`. The graph parameters (M, efConstruction) and the quantization come from
 * the file (`quantization` re-quantizes).
 *
 * Nothing is held twice: sections are read straight into the index's own storage (the vectors
 * into the kernel's memory, the codes into the code kernel), the record sections are parsed as
 * they stream in, and a quantized index whose floats stay in the file streams them once, through
 * a small buffer, to check them and take their norms.
 */
export async function loadHnswRetriever(
  path: string,
  given: HnswLoadOptions = {},
): Promise<PersistentHnswRetriever> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new RagloomError('INVALID_ARGUMENT', 'loadHnswRetriever needs a file path');
  }
  const options = parseLoadOptions(given);
  throwIfAborted(options.signal, 'load');
  const runtime = runtimeOf(options, path);
  const { openFileReader } = await import('#index-file-io');
  const reader = await openFileReader(path);
  /** Float rows read from this file once loaded: the file then stays open (closed on failure). */
  let fileVectors: FileFloatVectors | undefined;
  try {
    const prefix = new Uint8Array(Math.min(reader.size, INDEX_PREFIX_BYTES));
    await reader.readInto(0, prefix);
    const headerBytes = new Uint8Array(Math.min(reader.size, indexHeaderLength(prefix, path)));
    await reader.readInto(0, headerBytes);
    const header = parseIndexHeader(headerBytes, path, reader.size, crc32);
    // A wrong encoder is reported before a large file is read.
    const plan = planLoad(header, options, runtime, path, true);
    const { manifest } = plan;
    const slots = header.graph.slots;
    const dimension = manifest.dimension;
    const entryOf = (name: SectionName) => header.sections.find((e) => e.name === name)!;
    const total = header.sections.reduce((n, s) => n + s.byteLength, 0);
    let completed = 0;
    const progress = (bytes: number) => {
      completed += bytes;
      options.onProgress?.({ phase: 'read', completed, total, message: path });
    };

    /** Reads a section in chunks into `buffer` (or views of it), checksumming as it goes. */
    const stream = async (
      entry: SectionEntry,
      chunkBytes: number,
      onChunk: (bytes: Uint8Array, offset: number) => void,
      target?: (offset: number, length: number) => Uint8Array,
    ) => {
      const chunks: { offset: number; length: number; bytes: Uint8Array; read?: Promise<void> }[] = [];
      for (let offset = 0; offset < entry.byteLength; offset += chunkBytes) {
        const length = Math.min(chunkBytes, entry.byteLength - offset);
        chunks.push({ offset, length, bytes: new Uint8Array(0) });
      }
      const ringBytes = Math.min(chunkBytes, entry.byteLength);
      const ring =
        target === undefined ? Array.from({ length: READS_AHEAD }, () => new Uint8Array(ringBytes)) : [];
      const startRead = (i: number) => {
        const chunk = chunks[i];
        if (chunk === undefined) return;
        chunk.bytes = target
          ? target(chunk.offset, chunk.length)
          : ring[i % READS_AHEAD]!.subarray(0, chunk.length);
        chunk.read = reader.readInto(entry.offset + chunk.offset, chunk.bytes);
        chunk.read.catch(() => {}); // awaited below; keeps an early failure from going unhandled
      };
      for (let i = 0; i < READS_AHEAD; i++) startRead(i);
      let crc = 0;
      for (let i = 0; i < chunks.length; i++) {
        const chunk = chunks[i]!;
        await chunk.read;
        throwIfAborted(options.signal, 'load');
        crc = crc32(chunk.bytes, crc);
        onChunk(chunk.bytes, chunk.offset);
        progress(chunk.length);
        startRead(i + READS_AHEAD);
      }
      checkSectionChecksum(header, entry.name, crc, path);
    };

    // The graph, read into its final (possibly shared) arrays; then the records, parsed as they stream.
    const graphBytes = graphTargets(header, plan.shared);
    for (const [name, target] of Object.entries(graphBytes)) {
      const entry = entryOf(name as SectionName);
      await reader.readInto(entry.offset, target);
      checkSectionChecksum(header, entry.name, crc32(target), path);
      progress(entry.byteLength);
    }
    const graph = graphSections(header, graphBytes, path);
    const readers = {
      ids: new JsonLinesReader(path, 'ids'),
      texts: new JsonLinesReader(path, 'texts'),
      metadata: new JsonLinesReader(path, 'metadata'),
    };
    for (const name of ['ids', 'texts', 'metadata'] as const) {
      await stream(entryOf(name), 2 * CHUNK_BYTES, (bytes) => readers[name].push(bytes));
    }
    const records = decodedRecords(path, readers, slots, graph.deleted);

    // The float vectors: into the kernel, or streamed through for their checks and norms.
    const vectorEntry = entryOf('vectors');
    const rowBytes = dimension * 4;
    const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
    let firstBad = -1;
    let floats: { kernel: VectorKernel } | { file: FileFloatVectors };
    const norms = new Float64Array(slots);
    const keepFloatsInFile = plan.floatsInFile && plan.reuseCodes;
    if (keepFloatsInFile) {
      await stream(vectorEntry, chunkRows * rowBytes, (bytes, offset) => {
        const rows = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
        const first = offset / rowBytes;
        for (let r = 0; r < rows.length / dimension; r++) {
          const squared = referenceDot(rows, r * dimension, rows, r * dimension, dimension);
          if (!Number.isFinite(squared) && firstBad < 0) firstBad = first + r;
          norms[first + r] = Math.sqrt(squared);
        }
      });
      if (firstBad >= 0) notFinite(path, firstBad);
      fileVectors = new FileFloatVectors(
        reader.rows(vectorEntry.offset, dimension),
        dimension,
        manifest.metric,
        norms,
      );
      floats = { file: fileVectors };
    } else {
      const kernel = createVectorKernel(
        runtime.kernel,
        dimension,
        manifest.metric,
        Math.max(slots, 1),
        plan.shared,
      );
      const inPlace = kernel.vectorStorage(slots);
      await stream(
        vectorEntry,
        chunkRows * rowBytes,
        (bytes, offset) => {
          const bad = kernel.importVectors(bytes, offset / rowBytes, bytes.byteLength / rowBytes);
          if (bad >= 0 && firstBad < 0) firstBad = bad;
        },
        inPlace === null ? undefined : (offset, length) => inPlace.subarray(offset, offset + length),
      );
      if (firstBad >= 0) notFinite(path, firstBad);
      floats = { kernel };
    }

    // Codes: straight into the code kernel, in chunks (their cosine term needs the norms above).
    let codes: CodeKernel | null = null;
    if (header.quantization !== undefined) {
      const quantizerEntry = entryOf('quantizer');
      const quantizerBytes = new Uint8Array(quantizerEntry.byteLength);
      await reader.readInto(quantizerEntry.offset, quantizerBytes);
      checkSectionChecksum(header, 'quantizer', crc32(quantizerBytes), path);
      const quantizer = quantizerFromBytes(header.quantization.kind, dimension, quantizerBytes, path);
      const codeEntry = entryOf('codes');
      if (plan.reuseCodes) {
        codes = createCodeKernel(runtime.kernel, quantizer, dimension, manifest.metric, Math.max(slots, 1));
        const inverseNormOf =
          'kernel' in floats
            ? (slot: number) => (floats as { kernel: VectorKernel }).kernel.inverseNorm(slot)
            : (slot: number) => (norms[slot] === 0 ? 0 : 1 / norms[slot]!);
        const perRow = codeEntry.byteLength / Math.max(slots, 1);
        const codeChunk = Math.max(1, Math.floor(CHUNK_BYTES / Math.max(perRow, 1))) * perRow;
        await stream(codeEntry, Math.max(codeChunk, 1), (bytes, offset) => {
          codes!.importCodes(bytes, offset / perRow, bytes.byteLength / perRow, inverseNormOf);
        });
      } else {
        const rest = new Uint8Array(codeEntry.byteLength);
        await reader.readInto(codeEntry.offset, rest);
        checkSectionChecksum(header, 'codes', crc32(rest), path);
      }
    }
    options.onProgress?.({ phase: 'verify', completed: 1, total: 1 });
    // Re-quantized here, the floats stay in memory until the next save writes the new codes.
    return withFile(assemble(plan, runtime, header, graph, records, floats, codes, vectorEntry.crc32));
  } catch (error) {
    await fileVectors?.close();
    throw error;
  } finally {
    await reader.close();
  }
}

/** An index given a path has a file; the check keeps the return types honest without a cast. */
function withFile(index: HnswRetriever): PersistentHnswRetriever {
  if (!isPersistentHnswRetriever(index)) throw new Error('an HNSW index opened with a path has no save()');
  return index;
}

/**
 * Rebuilds an index from `toBytes()` output, verified as a file is. With `path` it is persistent
 * (`save()` writes there); without, it lives in memory.
 */
export function hnswRetrieverFromBytes(
  bytes: Uint8Array,
  options: HnswLoadOptions & { readonly path: string },
): PersistentHnswRetriever;
export function hnswRetrieverFromBytes(
  bytes: Uint8Array,
  options?: HnswLoadOptions & { readonly path?: string },
): HnswRetriever;
export function hnswRetrieverFromBytes(
  bytes: Uint8Array,
  given: HnswLoadOptions & { readonly path?: string } = {},
): HnswRetriever {
  const source = 'HNSW index bytes';
  const { path, ...rest } = given;
  if (path !== undefined && (typeof path !== 'string' || path.length === 0)) {
    throw new RagloomError('INVALID_ARGUMENT', 'path must be a non-empty string');
  }
  const options = parseLoadOptions(rest);
  const runtime = runtimeOf(options, path);
  const header = parseIndexHeader(bytes, source, bytes.byteLength, crc32);
  const plan = planLoad(header, options, runtime, source, false);
  const section = (name: SectionName) => {
    const entry = header.sections.find((e) => e.name === name)!;
    const view = bytes.subarray(entry.offset, entry.offset + entry.byteLength);
    checkSectionChecksum(header, name, crc32(view), source);
    return view;
  };
  // Graph arrays are copied out (the caller keeps its bytes; no view pins them).
  const graphBytes = graphTargets(header, plan.shared);
  for (const [name, target] of Object.entries(graphBytes)) target.set(section(name as SectionName));
  const graph = graphSections(header, graphBytes, source);
  const readers = {
    ids: new JsonLinesReader(source, 'ids'),
    texts: new JsonLinesReader(source, 'texts'),
    metadata: new JsonLinesReader(source, 'metadata'),
  };
  for (const name of ['ids', 'texts', 'metadata'] as const) readers[name].push(section(name));
  const records = decodedRecords(source, readers, header.graph.slots, graph.deleted);
  const { dimension, metric } = plan.manifest;
  const slots = header.graph.slots;
  const kernel = createVectorKernel(runtime.kernel, dimension, metric, Math.max(slots, 1), plan.shared);
  const vectors = section('vectors');
  // The float rows may sit at any alignment in the caller's buffer: importVectors copies them.
  const aligned = vectors.byteOffset % 4 === 0 ? vectors : vectors.slice();
  const bad = kernel.importVectors(aligned, 0, slots);
  if (bad >= 0) notFinite(source, bad);
  let codes: CodeKernel | null = null;
  if (header.quantization !== undefined) {
    const quantizer = quantizerFromBytes(header.quantization.kind, dimension, section('quantizer'), source);
    const codeBytes = section('codes');
    if (plan.reuseCodes) {
      codes = createCodeKernel(runtime.kernel, quantizer, dimension, metric, Math.max(slots, 1));
      codes.importCodes(codeBytes, 0, slots, (slot) => kernel.inverseNorm(slot));
    }
  }
  return assemble(plan, runtime, header, graph, records, { kernel }, codes, undefined);
}

/**
 * Loads the index at `options.path` when the file exists (its manifest must match the options),
 * otherwise creates an empty one that `save()` writes there.
 */
export async function openHnswRetriever(
  options: HnswRetrieverOptions & { readonly path: string },
): Promise<PersistentHnswRetriever> {
  const { fileExists } = await import('#index-file-io');
  if (await fileExists(options.path)) {
    // The file's own graph parameters and size win; the rest checks it or configures it.
    const { M: _M, efConstruction: _e, seed: _s, initialCapacity: _i, path, ...load } = options;
    return loadHnswRetriever(path, load);
  }
  return createHnswRetriever(options);
}
