/**
 * The documents (ordinals, ascending) that hold one term, with the term's frequency in each, in
 * typed arrays that grow by doubling: compact, and fast to scan while scoring.
 */
export interface PostingList {
  docs: Uint32Array;
  freqs: Uint32Array;
  length: number;
}

export function createPostingList(capacity = 2): PostingList {
  return { docs: new Uint32Array(capacity), freqs: new Uint32Array(capacity), length: 0 };
}

/**
 * A full list over `docs[start..end)` / `freqs[start..end)` of arrays the caller hands over (a loaded
 * index file's). Appending copies it into its own arrays; compaction rewrites it in place, which only
 * touches its own range.
 */
export function viewPostingList(
  docs: Uint32Array,
  freqs: Uint32Array,
  start: number,
  end: number,
): PostingList {
  return { docs: docs.subarray(start, end), freqs: freqs.subarray(start, end), length: end - start };
}

export function appendPosting(list: PostingList, doc: number, freq: number): void {
  if (list.length === list.docs.length) {
    const capacity = Math.max(2, list.docs.length * 2);
    const docs = new Uint32Array(capacity);
    docs.set(list.docs);
    const freqs = new Uint32Array(capacity);
    freqs.set(list.freqs);
    list.docs = docs;
    list.freqs = freqs;
  }
  list.docs[list.length] = doc;
  list.freqs[list.length] = freq;
  list.length++;
}

/** Keeps the postings whose doc has a new ordinal (`remap[doc] >= 0`), renumbered; order is preserved. */
export function remapPostingList(list: PostingList, remap: Int32Array): void {
  let kept = 0;
  for (let i = 0; i < list.length; i++) {
    const to = remap[list.docs[i]!]!;
    if (to < 0) continue;
    list.docs[kept] = to;
    list.freqs[kept] = list.freqs[i]!;
    kept++;
  }
  list.length = kept;
  // Give memory back when most of the list went away.
  if (kept * 4 < list.docs.length && list.docs.length > 8) {
    list.docs = list.docs.slice(0, Math.max(2, kept));
    list.freqs = list.freqs.slice(0, Math.max(2, kept));
  }
}
