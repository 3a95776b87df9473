import { readFile } from 'node:fs/promises';
import { RagloomError } from '@ragloom/core';
import { z } from 'zod';

const fileEntrySchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  documents: z.array(z.string()),
  /** Chunks of each document, in the order of `documents` (absent in states written before v2). */
  documentChunks: z.array(z.number().int().nonnegative()).optional(),
  chunks: z.number().int().nonnegative(),
  ingestedAt: z.string(),
});

/** A document sent over HTTP (`POST /ingest`), keyed by its stored id. */
const apiEntrySchema = z.object({
  chunks: z.number().int().nonnegative(),
  sha256: z.string(),
  ingestedAt: z.string(),
});

const stateV1Schema = z.object({
  format: z.literal('ragloom-ingest-state'),
  version: z.literal(1),
  settings: z.string(),
  files: z.record(z.string(), fileEntrySchema),
});

const stateSchema = z.object({
  format: z.literal('ragloom-ingest-state'),
  version: z.literal(2),
  /** The index set this state belongs to, and the generation that wrote it (see index-set/). */
  setId: z.string(),
  generation: z.number().int().nonnegative(),
  /** Fingerprint of the settings that shape the index (chunker, encoder, retrievers). */
  settings: z.string(),
  files: z.record(z.string(), fileEntrySchema),
  api: z.record(z.string(), apiEntrySchema).default({}),
});

export type IngestFileEntry = z.infer<typeof fileEntrySchema>;
export type ApiDocumentEntry = z.infer<typeof apiEntrySchema>;
export type IngestState = z.infer<typeof stateSchema>;

/** Where states lived before index sets (read once, when such a data dir is migrated). */
export const LEGACY_STATE_FILE = 'ingest-state.json';

/** A file whose entry carries this hash is ingested again by the next run (its chunks were replaced). */
export const UNCONFIRMED_SHA256 = '0'.repeat(64);

export function emptyIngestState(settings: string, setId = ''): IngestState {
  return { format: 'ragloom-ingest-state', version: 2, setId, generation: 0, settings, files: {}, api: {} };
}

/** Chunks the state accounts for: every member of a consistent set holds exactly this many records. */
export function stateChunkTotal(state: IngestState): number {
  let total = 0;
  for (const f of Object.values(state.files)) total += f.chunks;
  for (const a of Object.values(state.api)) total += a.chunks;
  return total;
}

export function serializeIngestState(state: IngestState): string {
  return `${JSON.stringify(state, null, 1)}\n`;
}

/** Parses a state file of this version or the one before; INDEX_CORRUPT names the file otherwise. */
export function parseIngestState(text: string, path: string): IngestState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw corrupt(path, 'not JSON', cause);
  }
  const parsed = stateSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const v1 = stateV1Schema.safeParse(value);
  if (v1.success) return { ...emptyIngestState(v1.data.settings), files: v1.data.files };
  throw corrupt(path, parsed.error.issues[0]?.message ?? 'unexpected shape');
}

export async function readIngestStateFile(path: string): Promise<IngestState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new RagloomError('IO_ERROR', `cannot read the ingest state ${path}: ${(cause as Error).message}`, {
      cause,
      details: { path },
    });
  }
  return parseIngestState(text, path);
}

function corrupt(path: string, why: string, cause?: unknown): RagloomError {
  return new RagloomError(
    'INDEX_CORRUPT',
    `ingest state ${path} is damaged (${why}); run \`ragloom ingest --rebuild <paths>\` to rebuild the index`,
    { cause, details: { path } },
  );
}
