import {
  assertManifestMatches,
  crc32,
  type DenseIndexManifest,
  type Metadata,
  RagloomError,
  throwIfAborted,
} from '@ragloom/core';
import { HnswGraph } from './hnsw-graph.js';
import {
  type HnswLoadOptions,
  type HnswRetrieverOptions,
  type ResolvedRuntimeOptions,
  resolveRuntimeOptions,
} from './hnsw-options.js';
import {
  buildRetriever,
  createHnswRetriever,
  type HnswRetriever,
  type IndexState,
  isPersistentHnswRetriever,
  type PersistentHnswRetriever,
} from './hnsw-retriever.js';
import {
  checkSectionChecksum,
  type DecodedIndex,
  decodeIndexFile,
  decodeIndexSections,
  INDEX_PREFIX_BYTES,
  type IndexFileHeader,
  indexHeaderLength,
  parseIndexHeader,
  type SectionName,
} from './index-file-format.js';
import { createVectorKernel } from './select-kernel.js';
import { freezeInPlace } from './stored-metadata.js';
import type { VectorKernel } from './vector-kernel.js';

/** The state of an index decoded from a file: its kernel filled, its graph arrays adopted. */
function stateFromContents(
  contents: DecodedIndex,
  runtime: ResolvedRuntimeOptions,
  source: string,
  /** A kernel the loader already filled, and the first non-finite vector it found (-1: none). */
  preparedKernel?: VectorKernel,
  preparedFirstBad = -1,
): IndexState {
  const { manifest, params, graph: counts } = contents;
  const slots = counts.slots;
  const capacity = Math.max(slots, 1);
  const kernel =
    preparedKernel ?? createVectorKernel(runtime.kernel, manifest.dimension, manifest.metric, capacity);
  const bad = preparedKernel ? preparedFirstBad : kernel.importVectors(contents.vectors[0]!, slots);
  if (bad >= 0) {
    throw new RagloomError(
      'INDEX_CORRUPT',
      `${source} is not a valid HNSW index file: vector ${bad} is not finite`,
      { details: { file: source, slot: bad } },
    );
  }
  const graph = new HnswGraph(kernel, params, capacity);
  // Adopt the decoded arrays when they have the graph's exact shape (no second copy of the graph).
  const adopt = <T extends Uint8Array | Int32Array>(current: T, loaded: T): T => {
    if (loaded.length === current.length) return loaded;
    current.set(loaded);
    return current;
  };
  graph.levels = adopt(graph.levels, contents.levels);
  graph.deleted = adopt(graph.deleted, contents.deleted);
  graph.links0 = adopt(graph.links0, contents.links0);
  graph.upperOffsets = adopt(graph.upperOffsets, contents.upperOffsets);
  graph.upperLinks = contents.upperLinks.length > 0 ? contents.upperLinks : new Int32Array(64);
  graph.upperUsed = contents.upperLinks.length;
  graph.size = slots;
  graph.deletedCount = slots - counts.live;
  graph.entryPoint = counts.entryPoint;
  graph.maxLevel = counts.maxLevel;
  graph.randomState = counts.randomState;
  // The decoded columns are private to this index: adopt them, freezing metadata in place.
  const metadata = contents.metadata as Metadata[];
  for (let slot = 0; slot < slots; slot++) metadata[slot] = freezeInPlace(metadata[slot]!);
  const ids = contents.ids as (string | undefined)[];
  const texts = contents.texts as string[];
  const slotOf = contents.slotOf;
  return { graph, kernel, ids, texts, metadata, slotOf };
}

/** The manifest a loaded index must have: the stored one, overridden by what the caller expects. */
function checkExpectedManifest(
  stored: DenseIndexManifest,
  options: HnswLoadOptions,
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

function retrieverFromBytes(
  bytes: Uint8Array,
  source: string,
  path: string | undefined,
  options: HnswLoadOptions,
): HnswRetriever {
  const runtime = resolveRuntimeOptions({ ...options, path });
  const contents = decodeIndexFile(bytes, source, crc32);
  const manifest = checkExpectedManifest(contents.manifest, options, source);
  return buildRetriever(manifest, contents.params, runtime, stateFromContents(contents, runtime, source));
}

/** Sections holding int32 arrays: read into 4-byte-aligned buffers so they are used in place. */
const INT32_SECTIONS: ReadonlySet<SectionName> = new Set(['links0', 'upperOffsets', 'upperLinks']);
/** Vectors are read in pieces of about this size, a few reads ahead of the checksum. */
const VECTOR_CHUNK_BYTES = 8 << 20;
const READS_AHEAD = 3;

/**
 * Opens an index file written by `save()`. Everything is verified: damage (truncation, a flipped
 * byte, another format version) is `INDEX_CORRUPT`, a missing file `NOT_FOUND`, and a manifest
 * other than the expected one (when `encoderModelId`/`dimension`/`metric` are given)
 * `MANIFEST_MISMATCH`. The graph parameters (M, efConstruction) come from the file.
 *
 * Sections are read straight into the index's own storage (the vectors into the kernel's memory),
 * so a large index is never held twice; the vectors arrive in chunks, a few reads ahead, while
 * this thread checks the other sections and then checksums and measures each chunk as it lands.
 */
export async function loadHnswRetriever(
  path: string,
  options: HnswLoadOptions = {},
): Promise<PersistentHnswRetriever> {
  throwIfAborted(options.signal, 'load');
  const runtime = resolveRuntimeOptions({ ...options, path });
  const { openFileReader } = await import('./index-file-io.js');
  const reader = await openFileReader(path);
  try {
    const prefix = new Uint8Array(Math.min(reader.size, INDEX_PREFIX_BYTES));
    await reader.readInto(0, prefix);
    const headerBytes = new Uint8Array(Math.min(reader.size, indexHeaderLength(prefix, path)));
    await reader.readInto(0, headerBytes);
    const header: IndexFileHeader = parseIndexHeader(headerBytes, path, reader.size, crc32);
    // A wrong encoder is reported before a large file is read.
    const manifest = checkExpectedManifest(header.manifest, options, path);
    const slots = header.graph.slots;
    const kernel = createVectorKernel(
      runtime.kernel,
      manifest.dimension,
      manifest.metric,
      Math.max(slots, 1),
    );
    const total = header.sections.reduce((n, s) => n + s.byteLength, 0);
    let completed = 0;
    const progress = (bytes: number) => {
      completed += bytes;
      options.onProgress?.({ phase: 'read', completed, total, message: path });
    };

    // The vector section: into the kernel's storage when its rows are unpadded, else a buffer.
    const vectorEntry = header.sections.find((e) => e.name === 'vectors')!;
    const inPlace = kernel.vectorStorage(slots);
    const vectors = inPlace ?? new Uint8Array(vectorEntry.byteLength);
    const rowBytes = manifest.dimension * 4;
    const chunkRows = Math.max(1, Math.floor(VECTOR_CHUNK_BYTES / rowBytes));
    const chunks: { from: number; to: number; read?: Promise<void> }[] = [];
    for (let from = 0; from < slots; from += chunkRows)
      chunks.push({ from, to: Math.min(slots, from + chunkRows) });
    const startRead = (i: number) => {
      const chunk = chunks[i];
      if (chunk === undefined) return;
      const bytes = vectors.subarray(chunk.from * rowBytes, chunk.to * rowBytes);
      chunk.read = reader.readInto(vectorEntry.offset + chunk.from * rowBytes, bytes);
      chunk.read.catch(() => {}); // awaited below; keeps an early failure from going unhandled
    };
    for (let i = 0; i < READS_AHEAD; i++) startRead(i);

    // The other sections, checked while the first vector chunks are being read.
    const sections = { vectors } as Record<SectionName, Uint8Array>;
    for (const entry of header.sections) {
      if (entry.name === 'vectors') continue;
      throwIfAborted(options.signal, 'load');
      const target = INT32_SECTIONS.has(entry.name)
        ? new Uint8Array(new Int32Array(entry.byteLength / 4).buffer)
        : new Uint8Array(entry.byteLength);
      await reader.readInto(entry.offset, target);
      sections[entry.name] = target;
      progress(entry.byteLength);
    }
    const contents = decodeIndexSections(header, sections, path, crc32, false, new Set(['vectors']));

    let vectorCrc = 0;
    let firstBad = -1;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      await chunk.read;
      throwIfAborted(options.signal, 'load');
      startRead(i + READS_AHEAD);
      vectorCrc = crc32(vectors.subarray(chunk.from * rowBytes, chunk.to * rowBytes), vectorCrc);
      if (inPlace !== null && firstBad < 0) firstBad = kernel.computeNorms(chunk.from, chunk.to);
      progress((chunk.to - chunk.from) * rowBytes);
    }
    checkSectionChecksum(header, 'vectors', vectorCrc, path);
    if (inPlace === null) firstBad = kernel.importVectors(vectors, slots);
    options.onProgress?.({ phase: 'verify', completed: 1, total: 1 });
    const state = stateFromContents(contents, runtime, path, kernel, firstBad);
    return withFile(buildRetriever(manifest, contents.params, runtime, state));
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
  options: HnswLoadOptions & { readonly path?: string } = {},
): HnswRetriever {
  return retrieverFromBytes(bytes, 'HNSW index bytes', options.path, options);
}

/**
 * Loads the index at `options.path` when the file exists (its manifest must match the options),
 * otherwise creates an empty one that `save()` writes there.
 */
export async function openHnswRetriever(
  options: HnswRetrieverOptions & { readonly path: string },
): Promise<PersistentHnswRetriever> {
  const { fileExists } = await import('./index-file-io.js');
  if (await fileExists(options.path)) {
    return loadHnswRetriever(options.path, options);
  }
  return createHnswRetriever(options);
}
