import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type DenseIndexManifest, RagloomError, type RetrieverRecord } from '@ragloom/core';

const FORMAT = 'ragloom-flat-index';

interface StoredRecord {
  readonly id: string;
  readonly text: string;
  readonly metadata: RetrieverRecord['metadata'];
  /** Little-endian float32, base64. */
  readonly vector: string;
}

interface IndexFile {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly manifest: DenseIndexManifest;
  /** sha256 of the JSON of `records`: a damaged file is refused, never half-loaded. */
  readonly sha256: string;
  readonly records: StoredRecord[];
}

const toBase64 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
const fromBase64 = (s: string) => {
  const bytes = new Uint8Array(Buffer.from(s, 'base64'));
  return new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
};

/** Writes the index atomically: a temp file, fsync, then rename over the old one. */
export async function writeIndexFile(
  path: string,
  manifest: DenseIndexManifest,
  records: readonly RetrieverRecord[],
): Promise<void> {
  const stored: StoredRecord[] = records.map((r) => ({
    id: r.id,
    text: r.text,
    metadata: r.metadata ?? {},
    vector: toBase64(r.vector instanceof Float32Array ? r.vector : Float32Array.from(r.vector ?? [])),
  }));
  const body = JSON.stringify(stored);
  const sha256 = createHash('sha256').update(body).digest('hex');
  const header = JSON.stringify({ format: FORMAT, version: 1, manifest, sha256 }).slice(0, -1);
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(`${header},"records":${body}}`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Reads and verifies an index file; INDEX_CORRUPT names the file when anything is off. */
export async function readIndexFile(
  path: string,
): Promise<{ manifest: DenseIndexManifest; records: RetrieverRecord[] }> {
  const corrupt = (why: string, cause?: unknown) =>
    new RagloomError('INDEX_CORRUPT', `flat index ${path} is damaged: ${why}`, { cause, details: { path } });
  let file: IndexFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw corrupt((error as Error).message, error);
  }
  if (file?.format !== FORMAT || file.version !== 1) throw corrupt(`not a ${FORMAT} v1 file`);
  if (!Array.isArray(file.records)) throw corrupt('no records');
  const sha256 = createHash('sha256').update(JSON.stringify(file.records)).digest('hex');
  if (sha256 !== file.sha256) throw corrupt('checksum mismatch');
  return {
    manifest: file.manifest,
    records: file.records.map((r) => ({
      id: r.id,
      text: r.text,
      metadata: r.metadata,
      vector: fromBase64(r.vector),
    })),
  };
}
