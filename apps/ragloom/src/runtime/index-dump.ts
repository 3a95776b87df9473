import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  assertManifestMatches,
  type IndexManifest,
  type ProgressEvent,
  RagloomError,
  type RetrieverRecord,
  type RetrieverV1,
  throwIfAborted,
} from '@ragloom/core';
import { writeFileAtomic } from '@ragloom/core/node';

export const DUMP_FORMAT = 'ragloom-index-dump';

interface DumpHeader {
  readonly format: typeof DUMP_FORMAT;
  readonly version: 1;
  readonly provider: string;
  readonly manifest: IndexManifest;
  /** Vectors are little-endian float32, base64: exact and a third the size of JSON numbers. */
  readonly vectorEncoding: 'f32le-base64';
  readonly count: number;
}

const encodeVector = (v: Float32Array | readonly number[]) => {
  const f32 = v instanceof Float32Array ? v : Float32Array.from(v);
  return Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength).toString('base64');
};

const decodeVector = (text: string) => {
  const bytes = Buffer.from(text, 'base64');
  const copy = new Uint8Array(bytes); // aligned copy for the Float32Array view
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
};

/**
 * Writes every record of a retriever (through `scan`) to a JSONL dump: a header with the manifest, one
 * record per line, and a trailer with the count, so a truncated file is detected on import. Written atomically.
 */
export async function exportIndex(
  retriever: RetrieverV1,
  path: string,
  options: { signal?: AbortSignal; onProgress?: (e: ProgressEvent) => void } = {},
): Promise<{ records: number }> {
  if (!retriever.capabilities.scan || !retriever.scan) {
    throw new RagloomError(
      'UNSUPPORTED',
      `the ${retriever.provider} retriever cannot list its records (no scan)`,
    );
  }
  const total = await retriever.count();
  let written = 0;
  async function* lines(): AsyncGenerator<string> {
    const header: DumpHeader = {
      format: DUMP_FORMAT,
      version: 1,
      provider: retriever.provider,
      manifest: retriever.manifest,
      vectorEncoding: 'f32le-base64',
      count: total,
    };
    yield JSON.stringify(header);
    for await (const page of retriever.scan!({ batchSize: 500, signal: options.signal })) {
      throwIfAborted(options.signal, 'export');
      for (const r of page) {
        yield JSON.stringify({
          id: r.id,
          text: r.text,
          metadata: r.metadata ?? {},
          ...(r.vector ? { vector: encodeVector(r.vector) } : {}),
        });
        written++;
      }
      options.onProgress?.({ phase: 'export', completed: written, total });
    }
    yield JSON.stringify({ end: true, count: written });
  }
  // One write per ~1 MiB of lines rather than per record.
  async function* chunks() {
    let buffer = '';
    for await (const line of lines()) {
      buffer += `${line}\n`;
      if (buffer.length >= 1 << 20) {
        yield buffer;
        buffer = '';
      }
    }
    if (buffer) yield buffer;
  }
  await writeFileAtomic(path, chunks());
  return { records: written };
}

interface DumpRecordLine {
  readonly id: string;
  readonly text: string;
  readonly metadata?: RetrieverRecord['metadata'];
  readonly vector?: string;
}

/** Reads a dump line by line, checking its structure; yields the header first, then the records. */
async function* readDump(path: string): AsyncGenerator<{ header: DumpHeader } | { record: DumpRecordLine }> {
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lineNumber = 0;
  let header = false;
  let records = 0;
  let ended: number | undefined;
  const corrupt = (why: string): never => {
    throw new RagloomError('INDEX_CORRUPT', `${path}:${lineNumber}: ${why}`, {
      details: { path, line: lineNumber },
    });
  };
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let value: Record<string, unknown> = {};
    try {
      value = JSON.parse(line);
    } catch {
      corrupt('not JSON');
    }
    if (!header) {
      if (value.format !== DUMP_FORMAT || value.version !== 1) corrupt(`not a ${DUMP_FORMAT} v1 file`);
      header = true;
      yield { header: value as unknown as DumpHeader };
      continue;
    }
    if (ended !== undefined) corrupt('data after the end marker');
    if (value.end === true) {
      ended = Number(value.count);
      continue;
    }
    if (typeof value.id !== 'string' || typeof value.text !== 'string')
      corrupt('a record needs string "id" and "text"');
    if (value.vector !== undefined && typeof value.vector !== 'string')
      corrupt('"vector" must be base64 text');
    records++;
    yield { record: value as unknown as DumpRecordLine };
  }
  if (!header) corrupt('the file is empty');
  if (ended === undefined) corrupt('the end marker is missing: the dump was cut off');
  if (records !== ended) corrupt(`the end marker counts ${ended} records but ${records} were read`);
}

/**
 * Loads a dump into a retriever. The whole file is verified first (header, every line, the trailer count),
 * so a damaged dump changes nothing. A dense target needs a dump of the same encoder, dimension and metric
 * (MANIFEST_MISMATCH otherwise); a sparse target takes the texts of any dump.
 */
export async function importIndex(
  path: string,
  target: RetrieverV1,
  options: { signal?: AbortSignal; onProgress?: (e: ProgressEvent) => void; batchSize?: number } = {},
): Promise<{ records: number }> {
  const dense = target.manifest.kind === 'dense';
  let total = 0;
  for await (const item of readDump(path)) {
    throwIfAborted(options.signal, 'import');
    if ('header' in item) {
      if (dense) assertManifestMatches(item.header.manifest, target.manifest, `the dump ${path}`);
    } else {
      if (dense && item.record.vector === undefined) {
        throw new RagloomError('INDEX_CORRUPT', `${path}: record "${item.record.id}" has no vector`);
      }
      total++;
    }
  }
  let batch: RetrieverRecord[] = [];
  let imported = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await target.upsert(batch, { signal: options.signal });
    imported += batch.length;
    batch = [];
    options.onProgress?.({ phase: 'import', completed: imported, total });
  };
  for await (const item of readDump(path)) {
    if (!('record' in item)) continue;
    const { id, text, metadata, vector } = item.record;
    batch.push({
      id,
      text,
      metadata: metadata ?? {},
      ...(dense && vector ? { vector: decodeVector(vector) } : {}),
    });
    if (batch.length >= (options.batchSize ?? 500)) await flush();
  }
  await flush();
  await target.save?.();
  return { records: imported };
}
