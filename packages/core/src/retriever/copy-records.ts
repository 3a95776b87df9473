import { RagloomError } from '../errors/ragloom-error.js';
import type { RetrieverV1 } from '../spec/retriever-v1.js';
import type { ProgressEvent } from '../spec/shared-types.js';
import { throwIfAborted } from '../util/abort.js';
import { assertManifestMatches } from './retriever-validation.js';

export interface CopyRecordsOptions {
  /** Records per scan page and upsert call (default 500). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/**
 * Moves every record of one index into another through the Retriever contract (`scan` on the
 * source, `upsert` into the target) — how a local HNSW index is handed over to Qdrant. Both must
 * have the same manifest (encoder, dimension, metric), so vectors are never mixed across models.
 * The target's `save()` is called at the end when it is persistent.
 */
export async function copyRecords(
  source: RetrieverV1,
  target: RetrieverV1,
  options: CopyRecordsOptions = {},
): Promise<{ copied: number }> {
  if (!source.capabilities.scan || !source.scan) {
    throw new RagloomError(
      'UNSUPPORTED',
      `the source retriever (${source.provider}) cannot scan its records`,
    );
  }
  assertManifestMatches(source.manifest, target.manifest, 'the target index');
  const total = await source.count();
  let copied = 0;
  options.onProgress?.({ phase: 'copy', completed: 0, total });
  for await (const page of source.scan({ batchSize: options.batchSize ?? 500, signal: options.signal })) {
    throwIfAborted(options.signal, 'copy');
    await target.upsert(page, { signal: options.signal });
    copied += page.length;
    options.onProgress?.({ phase: 'copy', completed: copied, total });
  }
  if (target.capabilities.persistent) await target.save?.();
  return { copied };
}
