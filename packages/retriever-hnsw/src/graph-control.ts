import { lock, unlock } from './node-locks.js';
import { allocateArray } from './shared-arrays.js';

/** Where each scalar sits in the control words (the fourth word pads the array to 16 bytes). */
const WORD = { entryPoint: 0, topLevel: 1, globalLock: 2, count: 4 } as const;

/**
 * The scalars of a graph that builder threads must see — its entry point and top level — and the
 * global lock held while they may change, kept in one Int32Array so that a parallel build shares
 * them with its threads (as hnswlib keeps `enterpoint_node_`, `maxlevel_` and `global`).
 */
export class GraphControl {
  private constructor(readonly words: Int32Array) {}

  /** Control words of an empty graph (no entry point), over shared memory when `shared`. */
  static create(shared: boolean): GraphControl {
    const control = new GraphControl(allocateArray(Int32Array, WORD.count, shared));
    control.setEntry(-1, -1);
    return control;
  }

  /** The control of a graph whose words another thread posted (`words` of its control). */
  static attach(words: Int32Array): GraphControl {
    return new GraphControl(words);
  }

  /** -1 in an empty graph. */
  get entryPoint(): number {
    return this.words[WORD.entryPoint]!;
  }

  /** The entry point's level; -1 in an empty graph. */
  get topLevel(): number {
    return this.words[WORD.topLevel]!;
  }

  setEntry(slot: number, level: number): void {
    // Top first: a lock-free reader takes min(top, level of the entry it reads).
    this.words[WORD.topLevel] = level;
    this.words[WORD.entryPoint] = slot;
  }

  /** Taken before any node lock, never while holding one (see node-locks). */
  lockGlobal(): void {
    lock(this.words, WORD.globalLock);
  }

  unlockGlobal(): void {
    unlock(this.words, WORD.globalLock);
  }
}
