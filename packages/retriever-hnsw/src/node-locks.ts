/**
 * Mutexes in an Int32Array over shared memory, one per graph node plus a global one, as hnswlib
 * keeps `link_list_locks_` and `global`. A lock word is 0 (free), 1 (held) or 2 (held, with
 * waiters): Drepper's futex mutex ("Futexes Are Tricky", mutex 2), so an uncontended lock and
 * unlock are one atomic operation each and only a contended unlock wakes anyone.
 *
 * Builder threads hold at most one node lock at a time (while rewriting that node's list), so
 * node locks cannot deadlock. The global lock is taken before any node lock, never while holding
 * one.
 */
export function lock(words: Int32Array, index: number): void {
  let c = Atomics.compareExchange(words, index, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(words, index, 2);
  while (c !== 0) {
    Atomics.wait(words, index, 2);
    c = Atomics.exchange(words, index, 2);
  }
}

export function unlock(words: Int32Array, index: number): void {
  if (Atomics.sub(words, index, 1) !== 1) {
    Atomics.store(words, index, 0);
    Atomics.notify(words, index, 1);
  }
}
