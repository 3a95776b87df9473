import { existsSync } from 'node:fs';
import {
  assertManifestMatches,
  createMemoryVectorRetriever,
  type RetrieverRecord,
  type RetrieverV1,
} from '@ragloom/core';
import { parseOptions } from '@ragloom/core/adapter';
import { readIndexFile, writeIndexFile } from './flat-index-file.js';
import { type FlatRetrieverOptions, flatRetrieverOptions } from './flat-retriever-options.js';

/**
 * A persistent exact-search vector retriever: core's brute-force reference retriever for search (so every
 * filter and score matches the spec exactly), plus an atomic, checksummed index file. Fine for up to a few
 * thousand chunks, and a compact example of a ragloom Retriever plugin.
 */
export async function openFlatRetriever(options: FlatRetrieverOptions): Promise<RetrieverV1> {
  const { manifest, path } = parseOptions(flatRetrieverOptions, options, { component: 'openFlatRetriever' });
  const memory = createMemoryVectorRetriever({
    encoderModelId: manifest.encoderModelId,
    dimension: manifest.dimension,
    metric: manifest.metric,
  });
  if (path !== undefined && existsSync(path)) {
    const stored = await readIndexFile(path);
    // An index built with another encoder must not answer this one's queries.
    assertManifestMatches(stored.manifest, manifest, `flat index ${path}`);
    await memory.upsert(stored.records);
  }
  const all = async () => {
    const records: RetrieverRecord[] = [];
    for await (const page of memory.scan!()) records.push(...page);
    return records;
  };
  return {
    specificationVersion: 'v1',
    provider: 'flat',
    manifest: memory.manifest,
    capabilities: { query: 'vector', scan: true, persistent: path !== undefined },
    upsert: (records, opts) => memory.upsert(records, opts),
    delete: (selector) => memory.delete(selector),
    search: (request) => memory.search(request),
    count: (filter) => memory.count(filter),
    scan: (opts) => memory.scan!(opts),
    ...(path === undefined ? {} : { save: async () => writeIndexFile(path, manifest, await all()) }),
  };
}
