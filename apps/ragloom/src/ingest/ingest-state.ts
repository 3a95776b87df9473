import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RagloomError } from '@ragloom/core';
import { writeFileAtomic } from '@ragloom/core/node';
import { z } from 'zod';
import { readJsonFile } from '../util/read-json-file.js';

const fileEntrySchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  documents: z.array(z.string()),
  chunks: z.number().int().nonnegative(),
  ingestedAt: z.string(),
});

const stateSchema = z.object({
  format: z.literal('ragloom-ingest-state'),
  version: z.literal(1),
  /** Fingerprint of the settings that shape the index (chunker, encoder, retrievers). */
  settings: z.string(),
  files: z.record(z.string(), fileEntrySchema),
});

export type IngestFileEntry = z.infer<typeof fileEntrySchema>;
export type IngestState = z.infer<typeof stateSchema>;

export const INGEST_STATE_FILE = 'ingest-state.json';

export function emptyIngestState(settings: string): IngestState {
  return { format: 'ragloom-ingest-state', version: 1, settings, files: {} };
}

/**
 * Reads what the last ingest stored: per file its content hash and the documents it produced. The state is
 * written after the indexes, so after a crash it never claims more than the indexes hold.
 */
export async function readIngestState(dataDir: string, settings: string): Promise<IngestState> {
  const path = join(dataDir, INGEST_STATE_FILE);
  if (!existsSync(path)) return emptyIngestState(settings);
  const parsed = stateSchema.safeParse(await readJsonFile(path, 'ingest state'));
  if (!parsed.success) {
    throw new RagloomError(
      'INDEX_CORRUPT',
      `ingest state ${path} is damaged (${parsed.error.issues[0]?.message ?? 'unexpected shape'}); ` +
        'run `ragloom ingest --rebuild <paths>` to rebuild the index',
      { details: { path } },
    );
  }
  return parsed.data;
}

export async function writeIngestState(dataDir: string, state: IngestState): Promise<void> {
  await writeFileAtomic(join(dataDir, INGEST_STATE_FILE), `${JSON.stringify(state, null, 1)}\n`);
}
