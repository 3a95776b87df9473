import type { DenseIndexManifest } from '@ragloom/core';
import type { HnswGraphParams } from './hnsw-graph.js';
import {
  bodyOf,
  bytesOf,
  encodeJsonLines,
  type IndexFileContents,
  type SectionBody,
} from './index-file-format.js';
import type { IndexState } from './index-state.js';
import { codeBytes, type Quantizer, quantizerBytes } from './quantizer.js';

function untrainedQuantizer(kind: 'int8' | 'binary', dimension: number): Quantizer {
  return kind === 'int8'
    ? { kind, offsets: new Float32Array(dimension), scales: new Float32Array(dimension) }
    : { kind, means: new Float32Array(dimension) };
}

/** The float vectors' section: from the kernel, or streamed from the index file with a known checksum. */
function vectorsBody(state: IndexState, slots: number, knownCrc: number | undefined): SectionBody {
  const { vectors } = state;
  if (vectors.kernel !== null) return bodyOf(...vectors.kernel.exportVectors(slots));
  const file = vectors.file!;
  const byteLength = slots * vectors.dimension * 4;
  // Rows unchanged since the file was read: its checksum still holds, so the rows are read once.
  const crc32 = knownCrc !== undefined && file.identityOver(slots) ? knownCrc : undefined;
  return { byteLength, ...(crc32 === undefined ? {} : { crc32 }), chunks: () => file.chunks(slots) };
}

/**
 * What `save`/`toBytes` write for an index, through the graph's, the stores' and the records'
 * own exports (views where the bytes already exist; float rows streamed from the file when they
 * live there). `fileVectorsCrc`: the checksum of the float section of the file the rows come from.
 */
export function indexFileContents(
  state: IndexState,
  manifest: DenseIndexManifest,
  params: HnswGraphParams,
  fileVectorsCrc?: number,
): IndexFileContents {
  const { graph, vectors, records } = state;
  const sections = graph.sections();
  const slots = sections.slots;
  const columns = records.columns(slots);
  // A quantized index without codes yet (no vectors) keeps its kind with an untrained, zero quantizer.
  const kind = vectors.quantization;
  const quantizer =
    vectors.quantizer ?? (kind === 'none' ? null : untrainedQuantizer(kind, vectors.dimension));
  const codes = vectors.codes;
  return {
    manifest,
    params: { M: params.M, efConstruction: params.efConstruction, seed: params.seed },
    graph: {
      slots,
      live: graph.liveCount,
      entryPoint: sections.entryPoint,
      maxLevel: sections.maxLevel,
      randomState: sections.randomState,
      upperLinksLength: sections.upperLinks.length,
    },
    ...(quantizer === null
      ? {}
      : { quantization: { kind: quantizer.kind, version: 1, trainedOn: vectors.trainingSize } }),
    sections: {
      vectors: vectorsBody(state, slots, fileVectorsCrc),
      levels: bodyOf(sections.levels),
      deleted: bodyOf(sections.deleted),
      links0: bodyOf(bytesOf(sections.links0)),
      upperOffsets: bodyOf(bytesOf(sections.upperOffsets)),
      upperLinks: bodyOf(bytesOf(sections.upperLinks)),
      ids: bodyOf(...encodeJsonLines(columns.ids, sections.deleted)),
      texts: bodyOf(...encodeJsonLines(columns.texts, sections.deleted)),
      metadata: bodyOf(...encodeJsonLines(columns.metadata, sections.deleted)),
      ...(quantizer === null
        ? {}
        : {
            quantizer: bodyOf(quantizerBytes(quantizer)),
            codes: bodyOf(
              ...(codes?.exportCodes(slots) ?? [
                new Uint8Array(slots * codeBytes(quantizer.kind, vectors.dimension)),
              ]),
            ),
          }),
    },
  };
}
