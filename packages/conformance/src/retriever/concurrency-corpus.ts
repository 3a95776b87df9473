import type { Metadata } from '@ragloom/core';
import { randomVector, seededRandom } from '../shared/seeded-random.js';
import { COMMON_WORD, CORPUS_DIMENSION, CORPUS_WORDS, type CorpusRecord } from './conformance-corpus.js';

/**
 * Records the concurrency tests write while searches run, by default. Large enough that an adapter
 * which yields to the event loop during long writes (every few milliseconds) does so in the middle
 * of one.
 */
export const DEFAULT_CONCURRENCY_RECORDS = 420;

/** Metadata groups (`group` = i mod 5); a group never changes between versions of a record. */
export const CONCURRENCY_GROUPS = 5;

/**
 * Version `version` of record `i`: text, metadata and vector all differ between versions, and the
 * metadata `stamp` names the version, so a search hit whose parts come from different versions
 * (a torn record) is recognisable.
 */
export function concurrencyRecord(i: number, version: number): CorpusRecord {
  const random = seededRandom(1_000_003 * (version + 1) + i);
  const words = [0, 1].map(() => CORPUS_WORDS[Math.floor(random() * CORPUS_WORDS.length)]!);
  const metadata: Metadata = {
    group: i % CONCURRENCY_GROUPS,
    version,
    stamp: `${i}:${version}`,
    even: i % 2 === 0,
  };
  return {
    id: `cc-${String(i).padStart(4, '0')}`,
    text: `${COMMON_WORD} ${words.join(' ')} ${version === 0 ? 'original' : 'revised'} ${i}`,
    metadata,
    vector: randomVector(random, CORPUS_DIMENSION),
  };
}

/** Every version of every record a test may have written, by id: what a consistent hit must be one of. */
export type KnownVersions = ReadonlyMap<string, readonly CorpusRecord[]>;

export function knownVersions(count: number, versions: number): KnownVersions {
  const known = new Map<string, CorpusRecord[]>();
  for (let i = 0; i < count; i++) {
    const all = Array.from({ length: versions }, (_, v) => concurrencyRecord(i, v));
    known.set(all[0]!.id, all);
  }
  return known;
}
