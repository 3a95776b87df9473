import { RagloomError, type RetrieverV1 } from '@ragloom/core';
import type { ReadWriteGate } from '../index-set/read-write-gate.js';

const refuse = (what: string) =>
  Promise.reject(
    new RagloomError(
      'UNSUPPORTED',
      `${what} is not possible through the runtime's retrievers: every write goes to the whole index set ` +
        'as one commit (use ingestFiles, ingestDocuments or runtime.indexSet.writer.commit)',
    ),
  );

/**
 * The face the runtime shows of a member: it searches, counts and scans, and refuses writes (a write that
 * skipped the index set would reach one member only, or the files of a committed generation). With a
 * gate, searches wait while a commit is being applied.
 */
export function readOnlyRetriever(current: () => RetrieverV1, gate?: ReadWriteGate): RetrieverV1 {
  const first = current();
  const read = <T>(fn: () => Promise<T>) => (gate ? gate.read(fn) : fn());
  return {
    specificationVersion: first.specificationVersion,
    provider: first.provider,
    manifest: first.manifest,
    capabilities: { ...first.capabilities, persistent: false },
    upsert: () => refuse('upsert'),
    delete: () => refuse('delete'),
    search: (request) => read(() => current().search(request)),
    count: (filter) => read(() => current().count(filter)),
    ...(first.scan ? { scan: (options) => current().scan!(options) } : {}),
  };
}
