import type { Metric } from '@ragloom/core';
import { type CodeKernel, createCodeKernel } from './code-kernel.js';
import type { FileFloatVectors } from './file-float-vectors.js';
import { type Quantization, type Quantizer, TRAINING_SAMPLE, trainQuantizer } from './quantizer.js';
import type {
  BuildKernel,
  FloatVectors,
  KernelPreference,
  VectorKernel,
  WalkKernel,
} from './vector-kernel.js';

/**
 * Every per-slot vector representation of an index, and which one each job uses:
 * - float vectors, in memory (`kernel`) or in the index file (`file`, quantized indexes only);
 * - quantized codes (`codes`), when the index is quantized.
 * Walks search on the codes when there are any, else on the floats; construction measures on
 * the floats when they are in memory, else on the codes; scores always come from the floats.
 */
export class VectorStore {
  private codeKernel: CodeKernel | null;
  /** Vectors the quantizer was trained on (it is retrained as the index doubles, up to the sample size). */
  private trainedOn: number;

  constructor(
    readonly dimension: number,
    readonly metric: Metric,
    readonly quantization: Quantization,
    private readonly preference: KernelPreference,
    private floatKernel: VectorKernel | null,
    private fileVectors: FileFloatVectors | null,
    codes: CodeKernel | null = null,
    trainedOn = 0,
  ) {
    this.codeKernel = codes;
    this.trainedOn = trainedOn;
  }

  /** The float vectors in memory, or null when they stay in the file. */
  get kernel(): VectorKernel | null {
    return this.floatKernel;
  }

  get file(): FileFloatVectors | null {
    return this.fileVectors;
  }

  get codes(): CodeKernel | null {
    return this.codeKernel;
  }

  get quantizer(): Quantizer | null {
    return this.codeKernel?.quantizer ?? null;
  }

  /** Where exact scores read the float vectors. */
  get exact(): FloatVectors {
    return (this.floatKernel ?? this.fileVectors)!;
  }

  /** What graph walks measure with: codes when quantized (and trained), else the floats. */
  get walk(): WalkKernel {
    return this.codeKernel ?? this.floatKernel!;
  }

  /** What construction measures with: the floats in memory, else the codes. */
  get build(): BuildKernel {
    return this.floatKernel ?? this.codeKernel!;
  }

  /** The kernel's name (the code kernel's when the floats are not in memory). */
  get kernelName(): 'wasm-simd' | 'js' {
    return (this.floatKernel ?? this.codeKernel)!.name;
  }

  ensureCapacity(slots: number): void {
    this.floatKernel?.ensureCapacity(slots);
    this.fileVectors?.ensureCapacity(slots);
    this.codeKernel?.ensureCapacity(slots);
  }

  /** Stores `vector` at `slot` in every representation (training the quantizer on first need). */
  set(slot: number, vector: Float32Array): void {
    if (this.floatKernel !== null) this.floatKernel.set(slot, vector);
    else this.fileVectors!.set(slot, vector);
    if (this.codeKernel !== null) this.codeKernel.setVector(slot, vector, this.exact.inverseNorm(slot));
  }

  get(slot: number): Float32Array {
    return this.exact.get(slot);
  }

  /** Moves a slot in every representation (compaction). */
  move(from: number, to: number): void {
    this.floatKernel?.move(from, to);
    this.fileVectors?.move(from, to);
    this.codeKernel?.move(from, to);
  }

  /**
   * (Re)trains the quantizer when the index is quantized and it is due — never trained, or the
   * index has doubled since and the training sample is not yet full — and encodes every slot
   * [0, size). Needs the floats in memory (a quantizer loaded with a file-backed index is kept).
   * `rows` yields the live slots to train on.
   */
  trainIfDue(size: number, liveSlots: () => Int32Array): boolean {
    if (this.quantization === 'none' || this.floatKernel === null) return false;
    const live = liveSlots();
    if (live.length === 0) return false;
    const due =
      this.codeKernel === null ||
      (this.trainedOn < TRAINING_SAMPLE && live.length >= 2 * Math.max(1, this.trainedOn));
    if (!due) return false;
    const kernel = this.floatKernel;
    const quantizer = trainQuantizer(this.quantization, this.dimension, live.length, (i) =>
      kernel.get(live[i]!),
    );
    const codes = createCodeKernel(this.preference, quantizer, this.dimension, this.metric, size);
    for (let slot = 0; slot < size; slot++) codes.setVector(slot, kernel.get(slot), kernel.inverseNorm(slot));
    this.codeKernel = codes;
    this.trainedOn = live.length;
    return true;
  }

  /** Vectors the current quantizer was trained on (0: none). */
  get trainingSize(): number {
    return this.trainedOn;
  }

  /** Hands the float vectors over to the index file (quantized indexes, after a save or load). */
  useFile(file: FileFloatVectors): void {
    this.fileVectors = file;
    this.floatKernel = null;
  }

  async close(): Promise<void> {
    await this.fileVectors?.close();
  }
}
