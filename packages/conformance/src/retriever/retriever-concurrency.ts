import type { DenseIndexManifest, Filter, RetrieverRecord, RetrieverV1, SearchHit } from '@ragloom/core';
import { expect } from 'vitest';
import { nextMacrotask, sequentialThenConcurrent, settle } from '../shared/concurrency.js';
import { randomVector, seededRandom } from '../shared/seeded-random.js';
import { concurrencyRecord, type KnownVersions, knownVersions } from './concurrency-corpus.js';
import {
  COMMON_WORD,
  CONFORMANCE_FILTERS,
  CORPUS_DIMENSION,
  CORPUS_WORDS,
  type CorpusRecord,
} from './conformance-corpus.js';
import { outOfOrderAt } from './hit-order.js';
import { compareWithExactScore, recordsMatching } from './reference-search.js';
import type { RetrieverConformanceTest } from './retriever-conformance.js';

/** What the retriever suite hands the concurrency tests. */
export interface ConcurrencyTestContext {
  readonly vectorMode: boolean;
  readonly test: (name: RetrieverConformanceTest, fn: () => Promise<void>) => void;
  readonly withRetriever: (fn: (retriever: RetrieverV1) => Promise<void>) => Promise<void>;
  readonly withCorpus: (fn: (retriever: RetrieverV1) => Promise<void>) => Promise<void>;
  readonly toRecord: (record: CorpusRecord) => RetrieverRecord;
  readonly queryVector: readonly number[];
  /** The suite's search in its mode: `queryVector`, or the corpus's common word, with this `k` and filter. */
  readonly search: (retriever: RetrieverV1, k: number, filter?: Filter) => Promise<SearchHit[]>;
  readonly compact?: (retriever: RetrieverV1) => Promise<unknown>;
  /** Records written while searches run. */
  readonly records: number;
}

/** Probes made while one write runs, at most (a slow remote write is still awaited in full). */
const MAX_PROBES = 100;
/** Problems listed in one failure message, at most. */
const SHOWN = 12;

/**
 * Runs `probe` again and again while `write` is pending — the first probe starts before the write
 * has had a chance to finish, each next one after the previous one and a macrotask — then once more
 * after the write has settled. Returns the write's outcome.
 */
async function probeWhile<T>(
  write: Promise<T>,
  probe: () => Promise<void>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let settled = false;
  const outcome = settle(write).finally(() => {
    settled = true;
  });
  for (let probes = 0; !settled && probes < MAX_PROBES; probes++) {
    await probe();
    await nextMacrotask();
  }
  const result = await outcome;
  await probe();
  return result;
}

/** Metadata as a string that does not depend on key order (stores such as Postgres jsonb reorder keys). */
const canonical = (metadata: unknown) =>
  typeof metadata === 'object' && metadata !== null
    ? JSON.stringify(
        Object.keys(metadata)
          .sort()
          .map((k) => [k, (metadata as Record<string, unknown>)[k]]),
      )
    : JSON.stringify(metadata);

function failWith(problems: readonly string[], what: string): void {
  const shown = problems.slice(0, SHOWN).join('\n');
  const more = problems.length > SHOWN ? `\n… and ${problems.length - SHOWN} more` : '';
  expect(problems, `${what}:\n${shown}${more}`).toEqual([]);
}

export function describeRetrieverConcurrency(context: ConcurrencyTestContext): void {
  const { vectorMode, test, withRetriever, withCorpus, toRecord } = context;
  const query = context.queryVector;
  const size = context.records;

  /** A search that reaches every record the filter allows (k above anything the tests store). */
  const everything = (retriever: RetrieverV1, filter?: Filter) => context.search(retriever, 2 * size, filter);

  /** A top-5 search: approximate indexes answer it from their graph, not by an exhaustive scan. */
  const topFive = (retriever: RetrieverV1, filter?: Filter) => context.search(retriever, 5, filter);

  /**
   * Checks that every hit is one whole version of a record: its metadata is exactly one version's,
   * and its text (and, for dense retrievers, its score) belong to that same version. Returns the
   * version of each hit by id; problems go to `problems`.
   */
  const versionsOf = (
    retriever: RetrieverV1,
    hits: readonly SearchHit[],
    known: KnownVersions,
    problems: string[],
    what: string,
  ): Map<string, number> => {
    const metric = vectorMode ? (retriever.manifest as DenseIndexManifest).metric : undefined;
    const seen = new Map<string, number>();
    const unordered = outOfOrderAt(hits);
    if (unordered !== -1) problems.push(`${what}: hits out of order at ${hits[unordered]!.id}`);
    for (const hit of hits) {
      if (seen.has(hit.id)) problems.push(`${what}: ${hit.id} appears twice`);
      const versions = known.get(hit.id);
      if (!versions) {
        problems.push(`${what}: unknown id ${hit.id}`);
        continue;
      }
      const version = versions.findIndex((r) => r.metadata.stamp === hit.metadata?.stamp);
      const record = versions[version];
      if (!record) {
        problems.push(`${what}: ${hit.id} has metadata ${JSON.stringify(hit.metadata)} of no version`);
        continue;
      }
      seen.set(hit.id, version);
      if (canonical(hit.metadata) !== canonical(record.metadata)) {
        problems.push(
          `${what}: ${hit.id} metadata ${JSON.stringify(hit.metadata)} is not version ${version}'s`,
        );
      }
      if (hit.text !== record.text) {
        problems.push(`${what}: ${hit.id} has the metadata of version ${version} but the text "${hit.text}"`);
      }
      if (metric) {
        const { agrees, exact } = compareWithExactScore(hit.score, metric, query, record.vector);
        if (!agrees) {
          problems.push(
            `${what}: ${hit.id} has the metadata of version ${version} but a score (${hit.score}) of another vector (${exact})`,
          );
        }
      }
    }
    return seen;
  };

  const load = async (retriever: RetrieverV1, count: number) => {
    const records = Array.from({ length: count }, (_, i) => concurrencyRecord(i, 0));
    await retriever.upsert(records.map(toRecord));
    return records;
  };

  const missing = (ids: Iterable<string>, seen: ReadonlyMap<string, number>) =>
    [...ids].filter((id) => !seen.has(id));

  test('concurrent-searches', () =>
    withCorpus(async (retriever) => {
      const otherQuery = randomVector(seededRandom(31), CORPUS_DIMENSION);
      const ks = [1, 3, 5, 10, 1000];
      const searches = CONFORMANCE_FILTERS.map(
        (filter, i) => () =>
          retriever.search(
            vectorMode
              ? { vector: i % 2 === 0 ? query : otherQuery, k: ks[i % ks.length]!, filter }
              : {
                  text: i % 2 === 0 ? COMMON_WORD : CORPUS_WORDS[i % CORPUS_WORDS.length]!,
                  k: ks[i % ks.length]!,
                  filter,
                },
          ),
      );
      const counts = CONFORMANCE_FILTERS.slice(0, 12).map((filter) => () => retriever.count(filter));
      const { sequential, concurrent } = await sequentialThenConcurrent<unknown>([...searches, ...counts]);
      concurrent.forEach((result, i) => {
        const what =
          i < searches.length
            ? `search ${i} (${JSON.stringify(CONFORMANCE_FILTERS[i])}, k ${ks[i % ks.length]})`
            : `count(${JSON.stringify(CONFORMANCE_FILTERS[i - searches.length])})`;
        expect(result, `${what}: concurrent vs one at a time`).toEqual(sequential[i]);
      });
    }));

  test('search-during-upsert', () =>
    withRetriever(async (retriever) => {
      const base = await load(retriever, size);
      // One batch replacing every even record and adding new ones in between.
      const batch: CorpusRecord[] = [];
      let added = 0;
      for (let i = 0; i < size; i++) {
        if (i % 2 === 0) batch.push(concurrencyRecord(i, 1));
        if (i % 5 === 0) batch.push(concurrencyRecord(size + added++, 0));
      }
      const known = knownVersions(size + added, 2);
      const baseIds = base.map((r) => r.id);
      const groupOne = base.filter((r) => r.metadata.group === 1).map((r) => r.id);
      const latest = new Map<string, number>();
      let lastCount = 0;
      let probes = 0;
      const outcome = await probeWhile(retriever.upsert(batch.map(toRecord)), async () => {
        const problems: string[] = [];
        const [all, one, revised, count, top] = await Promise.all([
          everything(retriever),
          everything(retriever, { group: 1 }),
          everything(retriever, { version: 1 }),
          retriever.count(),
          topFive(retriever),
        ]);
        versionsOf(retriever, top, known, problems, 'top 5');
        const seen = versionsOf(retriever, all, known, problems, 'unfiltered');
        for (const id of missing(baseIds, seen))
          problems.push(`unfiltered: ${id} is missing while it is replaced`);
        for (const [id, version] of latest) {
          const now = seen.get(id);
          if (now === undefined) problems.push(`unfiltered: ${id} was found before and is gone now`);
          else if (now < version)
            problems.push(`unfiltered: ${id} went back from version ${version} to ${now}`);
        }
        const inGroup = versionsOf(retriever, one, known, problems, '{ group: 1 }');
        for (const hit of one)
          if (hit.metadata.group !== 1) problems.push(`{ group: 1 }: ${hit.id} is not in group 1`);
        for (const id of missing(groupOne, inGroup))
          problems.push(`{ group: 1 }: ${id} is missing while it is replaced`);
        versionsOf(retriever, revised, known, problems, '{ version: 1 }');
        for (const hit of revised)
          if (hit.metadata.version !== 1)
            problems.push(`{ version: 1 }: ${hit.id} is version ${hit.metadata.version}`);
        if (count < lastCount)
          problems.push(`count went down from ${lastCount} to ${count} during an upsert`);
        if (count < size || count > size + added) {
          problems.push(`count ${count} is outside [${size}, ${size + added}]`);
        }
        failWith(problems, `probe ${probes} while an upsert runs`);
        for (const [id, version] of seen) latest.set(id, version);
        lastCount = count;
        probes++;
      });
      expect(outcome.ok, `the upsert failed: ${outcome.ok ? '' : String(outcome.error)}`).toBe(true);
      const problems: string[] = [];
      const final = versionsOf(retriever, await everything(retriever), known, problems, 'after the upsert');
      failWith(problems, 'after the upsert');
      expect(final.size).toBe(size + added);
      for (const [id, version] of final) {
        const i = Number(id.slice(3));
        expect(version, `${id} after the upsert`).toBe(i < size && i % 2 === 0 ? 1 : 0);
      }
      expect(await retriever.count()).toBe(size + added);
    }));

  test('search-during-delete', () =>
    withRetriever(async (retriever) => {
      const base = await load(retriever, size);
      const known = knownVersions(size, 1);
      const byIds = base.filter((_, i) => i % 3 === 0).map((r) => r.id);
      const byFilter: Filter = { group: 4 };
      const removed = new Set([...byIds, ...recordsMatching(base, byFilter).map((r) => r.id)]);
      const survivors = base.filter((r) => !removed.has(r.id)).map((r) => r.id);
      const survivorsInGroup = base
        .filter((r) => !removed.has(r.id) && r.metadata.group === 2)
        .map((r) => r.id);
      const gone = new Set<string>();
      let lastCount = size;
      let probes = 0;
      const write = (async () => {
        const first = await retriever.delete({ ids: byIds });
        const second = await retriever.delete({ filter: byFilter });
        return [first.deleted, second.deleted];
      })();
      const outcome = await probeWhile(write, async () => {
        const problems: string[] = [];
        const [all, two, count, top] = await Promise.all([
          everything(retriever),
          everything(retriever, { group: 2 }),
          retriever.count(),
          topFive(retriever, { even: true }),
        ]);
        versionsOf(retriever, top, known, problems, 'top 5 of { even: true }');
        for (const hit of top)
          if (hit.metadata.even !== true) problems.push(`top 5 of { even: true }: ${hit.id} is odd`);
        for (const hit of top)
          if (gone.has(hit.id)) problems.push(`top 5 of { even: true }: ${hit.id} was gone and is back`);
        const seen = versionsOf(retriever, all, known, problems, 'unfiltered');
        for (const id of missing(survivors, seen))
          problems.push(`unfiltered: ${id} is missing, but it is not deleted`);
        for (const id of gone) if (seen.has(id)) problems.push(`unfiltered: ${id} was gone and is back`);
        const inGroup = versionsOf(retriever, two, known, problems, '{ group: 2 }');
        for (const hit of two)
          if (hit.metadata.group !== 2) problems.push(`{ group: 2 }: ${hit.id} is not in group 2`);
        for (const id of missing(survivorsInGroup, inGroup))
          problems.push(`{ group: 2 }: ${id} is missing, but it is not deleted`);
        if (count > lastCount) problems.push(`count went up from ${lastCount} to ${count} during deletes`);
        if (count < survivors.length)
          problems.push(`count ${count} is below the ${survivors.length} records that stay`);
        failWith(problems, `probe ${probes} while records are deleted`);
        for (const id of removed) if (!seen.has(id)) gone.add(id);
        lastCount = count;
        probes++;
      });
      expect(outcome.ok, `the deletes failed: ${outcome.ok ? '' : String(outcome.error)}`).toBe(true);
      if (outcome.ok) expect(outcome.value).toEqual([byIds.length, removed.size - byIds.length]);
      const final = await everything(retriever);
      expect(final.map((h) => h.id).sort()).toEqual(survivors);
      expect(await retriever.count()).toBe(survivors.length);
    }));

  test('search-during-compaction', () =>
    withRetriever(async (retriever) => {
      const base = await load(retriever, size);
      const known = knownVersions(size, 1);
      const doomed = new Set(base.filter((_, i) => i % 3 === 0).map((r) => r.id));
      await retriever.delete({ ids: [...doomed] });
      // What searches return must not change while the index reorganises what it stores.
      const snapshot = (hits: readonly SearchHit[]) =>
        hits.map((h) => ({
          id: h.id,
          text: h.text,
          metadata: h.metadata,
          ...(vectorMode ? { score: h.score } : {}),
        }));
      const before = snapshot(await everything(retriever));
      const beforeGroup = snapshot(await everything(retriever, { group: 2 }));
      const beforeCount = await retriever.count();
      let probes = 0;
      const outcome = await probeWhile(context.compact!(retriever), async () => {
        const [all, two, count, top] = await Promise.all([
          everything(retriever),
          everything(retriever, { group: 2 }),
          retriever.count(),
          topFive(retriever),
        ]);
        const problems: string[] = [];
        versionsOf(retriever, top, known, problems, 'top 5');
        for (const hit of top) if (doomed.has(hit.id)) problems.push(`top 5: ${hit.id} was deleted before`);
        failWith(problems, `probe ${probes} while the index compacts`);
        expect(snapshot(all), `probe ${probes} while the index compacts: unfiltered`).toEqual(before);
        expect(snapshot(two), `probe ${probes} while the index compacts: { group: 2 }`).toEqual(beforeGroup);
        expect(count, `probe ${probes} while the index compacts: count`).toBe(beforeCount);
        probes++;
      });
      expect(outcome.ok, `compaction failed: ${outcome.ok ? '' : String(outcome.error)}`).toBe(true);
    }));

  test('persistence-contract', () =>
    withRetriever(async (retriever) => {
      const { persistent } = retriever.capabilities;
      expect(typeof persistent, 'capabilities.persistent is a boolean').toBe('boolean');
      if (!persistent) {
        // Hosts call save() on every retriever that has one; one that cannot persist must not offer it.
        expect(retriever.save, 'capabilities.persistent is false, so save() must be absent').toBeUndefined();
        return;
      }
      expect(typeof retriever.save, 'capabilities.persistent is true, so save() must be present').toBe(
        'function',
      );
      await retriever.upsert([toRecord(concurrencyRecord(0, 0))]);
      await retriever.save!();
      expect(await retriever.count()).toBe(1);
    }));
}
