import type { DenseIndexManifest } from '@ragloom/core';

export interface FlatRetrieverOptions {
  /** What the index holds: the encoder's model id, the dimension and the metric. */
  readonly manifest: DenseIndexManifest;
  /** The index file. Without it the index lives in memory only. */
  readonly path?: string;
}
