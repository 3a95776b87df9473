import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RagloomError } from '@ragloom/core';

/*
 * A resumable run's per-query results, one JSON line each: `{"key": ..., "value": ..., "sha256": ...}`
 * after a header line that fingerprints the run's configuration. Each record is appended as soon as
 * its query finishes, so a crash loses at most the line being written; on load every line is checked
 * against its hash, a torn last line is dropped (that query runs again), and any other damage or a
 * configuration change is an error rather than silently mixed results.
 */

const FORMAT = 'ragloom-eval-cache';
const VERSION = 1;

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

export interface ResultCache<V> {
  readonly file: string;
  /** Results loaded from an earlier, interrupted run. */
  readonly entries: ReadonlyMap<string, V>;
  /** Appends one result (serialised; concurrent calls are written in call order). */
  put(key: string, value: V): Promise<void>;
}

/**
 * Opens (or creates) a cache file for a run whose configuration is summarised by `fingerprint`. A
 * file written for another configuration throws INVALID_CONFIG; a damaged line throws INDEX_CORRUPT
 * naming the file and line.
 */
export async function openResultCache<V>(
  file: string,
  fingerprint: Record<string, unknown>,
): Promise<ResultCache<V>> {
  const configuration = JSON.stringify(fingerprint);
  const entries = new Map<string, V>();
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text === undefined || text === '') {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify({ format: FORMAT, version: VERSION, configuration })}\n`);
  } else {
    const lines = text.split('\n');
    const complete = lines.slice(0, -1); // the last piece is "" after a final newline, or a torn record
    let header: { format?: unknown; version?: unknown; configuration?: unknown } | undefined;
    try {
      header = JSON.parse(complete[0] ?? '');
    } catch {
      header = undefined;
    }
    if (header?.format !== FORMAT || header.version !== VERSION) {
      throw new RagloomError('INDEX_CORRUPT', `${file}:1: not a ragloom eval cache (bad header)`, {
        details: { file, line: 1 },
      });
    }
    if (header.configuration !== configuration) {
      throw new RagloomError(
        'INVALID_CONFIG',
        `${file} holds results of a different run configuration; delete it or use another cache file. Cached: ${String(header.configuration)}; now: ${configuration}`,
        { details: { file } },
      );
    }
    complete.slice(1).forEach((line, i) => {
      const lineNumber = i + 2;
      let record: { key?: unknown; value?: unknown; sha256?: unknown };
      try {
        record = JSON.parse(line);
      } catch (cause) {
        throw new RagloomError('INDEX_CORRUPT', `${file}:${lineNumber}: damaged cache record`, {
          cause,
          details: { file, line: lineNumber },
        });
      }
      const payload = JSON.stringify([record.key, record.value]);
      if (typeof record.key !== 'string' || record.sha256 !== digest(payload)) {
        throw new RagloomError('INDEX_CORRUPT', `${file}:${lineNumber}: cache record fails its checksum`, {
          details: { file, line: lineNumber },
        });
      }
      entries.set(record.key, record.value as V);
    });
    if (!text.endsWith('\n')) {
      // A torn final record from a crash: rewrite the file without it so appends stay line-aligned.
      await writeFile(file, `${complete.join('\n')}\n`);
    }
  }
  let queue: Promise<void> = Promise.resolve();
  return {
    file,
    entries,
    put(key, value) {
      const payload = JSON.stringify([key, value]);
      const line = `${JSON.stringify({ key, value, sha256: digest(payload) })}\n`;
      queue = queue.then(() => appendFile(file, line));
      return queue;
    },
  };
}
