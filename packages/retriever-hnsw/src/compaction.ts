import { yieldToEventLoop } from '@ragloom/core/adapter';
import type { HnswOperationOptions } from './hnsw-options.js';
import type { IndexState } from './index-state.js';
import { YIELD_EVERY_MS } from './mutation-queue.js';

/** Slots repaired between two checks of the clock. */
const REPAIR_CHUNK = 256;

/** Whether tombstones have reached `threshold` of the stored slots. */
export function compactionDue(state: IndexState, threshold: number): boolean {
  const { graph } = state;
  return graph.deletedCount > 0 && graph.deletedCount >= threshold * graph.size;
}

/**
 * Repairs the links around tombstones (in chunks, yielding between them: each chunk leaves
 * every list valid), then drops the tombstones and renumbers every slot in one synchronous step,
 * so searches never see half-moved slots. Resolves to the number of tombstones removed.
 */
export async function compactIndex(
  state: IndexState,
  options: HnswOperationOptions | undefined,
): Promise<number> {
  const { graph, vectors, records, payload } = state;
  const removed = graph.deletedCount;
  if (removed === 0) return 0;
  const size = graph.size;
  const report = (phase: string, completed: number, total: number) =>
    options?.onProgress?.({ phase, completed, total });
  let lastYield = performance.now();
  for (let from = 0; from < size; from += REPAIR_CHUNK) {
    graph.repairRange(from, Math.min(size, from + REPAIR_CHUNK));
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      report('repair', Math.min(size, from + REPAIR_CHUNK), size);
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  }
  report('repair', size, size);
  const map = graph.compact((from, to) => vectors.move(from, to));
  records.renumber(map, graph.size);
  vectors.file?.truncate(graph.size);
  payload.clear();
  report('compact', 1, 1);
  return removed;
}
