/**
 * The best `k` of a stream of (ordinal, score) candidates with a binary min-heap: O(n log k) rather
 * than sorting every match. Ties are broken as the Retriever contract orders hits (id ascending), so
 * the result does not depend on the order candidates arrive in.
 */
export function selectTopK(
  candidates: Uint32Array,
  count: number,
  scores: Float64Array,
  idOf: (ordinal: number) => string,
  k: number,
): number[] {
  const size = Math.min(k, count);
  if (size <= 0) return [];
  const heap = new Uint32Array(size);
  let length = 0;
  // a ranks below b: lower score, or the same score and a larger id.
  const worse = (a: number, b: number): boolean => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    return sa < sb || (sa === sb && idOf(a) > idOf(b));
  };
  const siftUp = (i: number) => {
    const item = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(item, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = item;
  };
  const siftDown = (i: number) => {
    const item = heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && worse(heap[right]!, heap[left]!) ? right : left;
      if (!worse(heap[child]!, item)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  };
  for (let c = 0; c < count; c++) {
    const doc = candidates[c]!;
    if (length < size) {
      heap[length] = doc;
      siftUp(length++);
    } else if (worse(heap[0]!, doc)) {
      heap[0] = doc;
      siftDown(0);
    }
  }
  const best = Array.from(heap.subarray(0, length));
  best.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
  return best;
}
