import type { HnswGraph } from './hnsw-graph.js';
import { PayloadIndex } from './payload-index.js';
import type { RecordStore } from './record-store.js';
import type { VectorStore } from './vector-store.js';

/** What an open index holds: the graph, the vectors in every representation, the records and their payload index. */
export interface IndexState {
  readonly graph: HnswGraph;
  readonly vectors: VectorStore;
  readonly records: RecordStore;
  readonly payload: PayloadIndex;
}

/** Wires the parts of an index together (the payload index follows every metadata the records store). */
export function createIndexState(graph: HnswGraph, vectors: VectorStore, records: RecordStore): IndexState {
  const payload = new PayloadIndex({
    size: () => graph.size,
    liveCount: () => graph.liveCount,
    isLive: (slot) => graph.isLive(slot),
    metadataAt: (slot) => records.metadataAt(slot),
  });
  records.observe((slot, metadata, replaced) => payload.add(slot, metadata, replaced));
  graph.kernel = vectors.build;
  return { graph, vectors, records, payload };
}

/** The live slots, in order. */
export function liveSlots(graph: HnswGraph): Int32Array {
  const state = graph.stateView();
  const out = new Int32Array(graph.liveCount);
  let n = 0;
  for (let s = 0; s < state.length; s++) if (state[s] === 0) out[n++] = s;
  return out;
}
