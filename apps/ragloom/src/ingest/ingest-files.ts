import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { type Document, isAbortError, isRagloomError, RagloomError } from '@ragloom/core';
import type { IndexSetWriter } from '../index-set/index-set-writer.js';
import { createStagingArea } from '../index-set/staging-area.js';
import { loadDocumentFile, sourceTypeOf } from '../loaders/load-document-file.js';
import type { LoadedDocument, SkippedFile } from '../loaders/loaded-document.js';
import type { RagloomRuntime } from '../runtime/open-runtime.js';
import { emptyIngestState, type IngestFileEntry, type IngestState } from './ingest-state.js';
import { createLocatedChunker } from './located-chunker.js';
import { requireWriter } from './require-writer.js';
import { type FoundFile, isUnderRoots, walkFiles } from './walk-files.js';

export interface IngestFilesProgress {
  readonly phase: 'scanning' | 'ingesting' | 'saving' | 'done';
  readonly filesDone: number;
  readonly filesTotal: number;
  /** Documents (a file, or a JSONL line) chunked and stored so far, and the expected total. */
  readonly documentsDone: number;
  readonly documentsTotal: number;
  readonly chunks: number;
  readonly file?: string;
}

export interface IngestFilesOptions {
  /** Files and folders to ingest. */
  readonly paths: readonly string[];
  /** Remove the chunks of files that were ingested from these paths before and are gone now (default true). */
  readonly prune?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: IngestFilesProgress) => void;
  readonly onWarning?: (message: string) => void;
  /** Documents per pipeline call (default 64). */
  readonly sliceSize?: number;
  /** Drop every index and the ingest state first, and ingest everything again (in the same commits). */
  readonly rebuild?: boolean;
  /** A checkpoint is also taken once this many records are staged (default 20,000), to bound memory. */
  readonly maxStagedRecords?: number;
  /** gitignore-style patterns left out besides `ingest.exclude` (the CLI's --exclude). */
  readonly exclude?: readonly string[];
}

/** `3 hidden, 2 ignored by .gitignore`: how many entries were left out for each reason. */
function summarizeReasons(entries: readonly SkippedFile[]): string {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.reason, (counts.get(e.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
}

/** Refuses, before any work, an ingest whose files add up to more than `ingest.maxTotalMiB`. */
async function checkTotalSize(files: readonly FoundFile[], maxTotalMiB: number): Promise<void> {
  let total = 0;
  for (const file of files) {
    try {
      total += (await stat(file.path)).size;
    } catch {
      // Unreadable files are reported by the ingest itself.
    }
  }
  const limit = maxTotalMiB * 1024 * 1024;
  if (total > limit) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `the ${files.length} files to ingest add up to ${(total / 2 ** 20).toFixed(1)} MiB, more than ` +
        `ingest.maxTotalMiB (${maxTotalMiB} MiB): ingest a smaller folder, leave files out with --exclude, ` +
        'or raise ingest.maxTotalMiB',
      { details: { totalBytes: total, limitBytes: limit } },
    );
  }
}

export interface IngestFilesResult {
  readonly added: string[];
  readonly updated: string[];
  readonly unchanged: number;
  readonly removed: string[];
  /** Files that could not be used (unreadable, too large, links the policy refuses), each with its reason. */
  readonly skipped: SkippedFile[];
  /** Entries the folder walk left out: hidden, .gitignore'd, excluded, unsupported types. */
  readonly excluded: SkippedFile[];
  readonly documents: number;
  readonly chunks: number;
  /** True when the signal fired: the index on disk is the last checkpoint. */
  readonly interrupted: boolean;
  /** Documents of this run that the last checkpoint holds (`documents` when the run was not interrupted). */
  readonly checkpointedDocuments: number;
  /** Checkpoints committed by this run, and the generation of the index set after the last one. */
  readonly checkpoints: number;
  readonly generation: number;
}

interface PlannedFile {
  readonly file: FoundFile;
  readonly sha256: string;
  readonly size: number;
  readonly documentEstimate: number;
  readonly previous?: IngestFileEntry;
}

/** The state after a checkpoint: its file entries (null: removed) put onto the newest committed state. */
export function withFileChanges(
  state: IngestState,
  changes: ReadonlyMap<string, IngestFileEntry | null>,
  settings: string,
): IngestState {
  const files = { ...state.files };
  const api = { ...state.api };
  for (const [source, entry] of changes) {
    if (entry === null) delete files[source];
    else {
      files[source] = entry;
      // A file's documents replace any that were sent over HTTP with the same id (when allowed).
      for (const id of entry.documents) delete api[id];
    }
  }
  return { ...state, settings, files, api };
}

/**
 * Incremental ingest: hashes every file under `paths`, loads and indexes only new or changed ones, removes
 * the chunks of files that disappeared, and checkpoints every `ingest.checkpointSeconds` and at the end.
 * Writes are staged and each checkpoint is one commit of the index set: every retriever and the ingest
 * state move to a new generation together, or (on abort, error or crash) none does. Several ingests of
 * one writer may run at once (a server serving two CLIs): each commits only the files it touched.
 */
export function ingestFiles(
  runtime: RagloomRuntime,
  options: IngestFilesOptions,
): Promise<IngestFilesResult> {
  const writer = requireWriter(runtime, 'ingestFiles');
  // A rebuild replaces what every other ingest commits, so it runs alone; other ingests run side by side.
  const run = () => ingestFilesNow(runtime, writer, options);
  return options.rebuild ? writer.operations.write(run) : writer.operations.read(run);
}

async function ingestFilesNow(
  runtime: RagloomRuntime,
  writer: IndexSetWriter,
  options: IngestFilesOptions,
): Promise<IngestFilesResult> {
  const { config, loaded } = runtime;
  const { signal } = options;
  const warn = options.onWarning ?? (() => {});
  const sliceSize = options.sliceSize ?? 64;
  const maxStaged = options.maxStagedRecords ?? 20_000;
  const settings = runtime.settingsFingerprint;
  const base = options.rebuild ? emptyIngestState(settings) : writer.state;
  const settingsChanged = base.settings !== settings && Object.keys(base.files).length > 0;
  if (settingsChanged) {
    warn('the chunker, encoder or retrievers changed since the last ingest: every file is ingested again');
  }
  const current: IngestState = { ...base, settings, files: { ...base.files } };
  /** File entries changed since the last checkpoint (null: the file's chunks were removed). */
  const changes = new Map<string, IngestFileEntry | null>();
  const progress = {
    phase: 'scanning' as IngestFilesProgress['phase'],
    filesDone: 0,
    filesTotal: 0,
    documentsDone: 0,
    documentsTotal: 0,
    chunks: 0,
    file: undefined as string | undefined,
  };
  let storedDocuments = 0;
  const report = () => options.onProgress?.({ ...progress });

  const walked = await walkFiles(options.paths, {
    baseDir: loaded.dir,
    extensions: config.ingest.extensions,
    exclude: [...config.ingest.exclude, ...(options.exclude ?? [])],
    followSymlinks: config.ingest.followSymlinks,
    gitignore: config.ingest.gitignore,
  });
  const found = walked.files;
  // Links the policy refused are reported one by one; hidden, ignored and unsupported entries in a summary.
  const skipped: SkippedFile[] = [...walked.refused];
  const { excluded } = walked;
  if (excluded.length > 0) warn(`left out ${excluded.length} entries: ${summarizeReasons(excluded)}`);
  await checkTotalSize(found, config.ingest.maxTotalMiB);
  const planned: PlannedFile[] = [];
  let unchanged = 0;
  const maxBytes = config.ingest.maxFileMiB * 1024 * 1024;
  for (const file of found) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(file.path);
    } catch (error) {
      skipped.push({
        source: file.source,
        reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      });
      continue;
    }
    if (!info.isFile()) continue;
    if (info.size > maxBytes) {
      skipped.push({
        source: file.source,
        reason: `larger than ingest.maxFileMiB (${config.ingest.maxFileMiB} MiB)`,
      });
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file.path);
    } catch (error) {
      skipped.push({
        source: file.source,
        reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      });
      continue;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const previous = current.files[file.source];
    if (previous && previous.sha256 === sha256 && !settingsChanged) {
      unchanged++;
      continue;
    }
    const documentEstimate =
      sourceTypeOf(file.source) === 'jsonl'
        ? bytes
            .toString('utf8')
            .split('\n')
            .filter((l) => l.trim()).length
        : 1;
    planned.push({ file, sha256, size: info.size, documentEstimate, previous });
  }
  for (const s of skipped) warn(`skipped ${s.source}: ${s.reason}`);

  const loadedDocs = new Map<string, LoadedDocument>();
  const chunksPerDocument = new Map<string, number>();
  const locatedChunker = createLocatedChunker(runtime.chunker, (id) => loadedDocs.get(id));
  const counting = {
    ...locatedChunker,
    async chunk(document: Document) {
      const chunks = await locatedChunker.chunk(document);
      chunksPerDocument.set(document.id, chunks.length);
      return chunks;
    },
  };
  const staging = createStagingArea(runtime.retrievers);
  const pipeline = runtime.pipelineWith({ chunker: counting, retrievers: staging.entries });
  // A rebuild empties every member in its first commit, so until then readers keep the old set.
  let rebuildPending = options.rebuild === true;
  if (rebuildPending) staging.deleteEverything();

  let checkpoints = 0;
  let checkpointedDocuments = 0;
  let generation = writer.generation;
  let lastCheckpoint = Date.now();
  const checkpoint = async () => {
    if (changes.size === 0 && !rebuildPending) return;
    progress.phase = 'saving';
    report();
    const writes = staging.take();
    const committedChanges = new Map(changes);
    const fresh = rebuildPending;
    const result = await writer.commit({
      writes,
      signal,
      update: (state) =>
        withFileChanges(fresh ? emptyIngestState(settings, state.setId) : state, committedChanges, settings),
    });
    changes.clear();
    rebuildPending = false;
    generation = result.generation;
    checkpoints++;
    checkpointedDocuments = storedDocuments;
    lastCheckpoint = Date.now();
    progress.phase = 'ingesting';
  };

  const added: string[] = [];
  const updated: string[] = [];
  const removed: string[] = [];
  let interrupted = false;
  try {
    // Files gone from the walked folders, and previously ingested files that are now unusable.
    if (options.prune !== false) {
      const present = new Set(found.map((f) => f.source));
      for (const [source, entry] of Object.entries(current.files)) {
        const gone = !present.has(source) && isUnderRoots(source, options.paths, loaded.dir);
        const unusable = skipped.some((s) => s.source === source);
        if (!gone && !unusable) continue;
        await pipeline.deleteDocuments(entry.documents);
        delete current.files[source];
        changes.set(source, null);
        removed.push(source);
      }
    }

    progress.phase = 'ingesting';
    progress.filesTotal = planned.length;
    progress.documentsTotal = planned.reduce((n, p) => n + p.documentEstimate, 0);
    report();

    let slice: { plan: PlannedFile; documents: Document[] }[] = [];
    let sliceDocuments = 0;
    const flush = async () => {
      if (slice.length === 0) return;
      const documents = slice.flatMap((s) => s.documents);
      const before = progress.documentsDone;
      await pipeline.ingest(documents, {
        signal,
        onProgress: (event) => {
          progress.documentsDone = before + event.documents;
          report();
        },
      });
      for (const { plan, documents: docs } of slice) {
        const ids = docs.map((d) => d.id);
        const stale = (plan.previous?.documents ?? []).filter((id) => !ids.includes(id));
        if (stale.length > 0) await pipeline.deleteDocuments(stale); // JSONL lines that were removed
        const documentChunks = ids.map((id) => chunksPerDocument.get(id) ?? 0);
        const chunks = documentChunks.reduce((n, c) => n + c, 0);
        const entry: IngestFileEntry = {
          sha256: plan.sha256,
          size: plan.size,
          documents: ids,
          documentChunks,
          chunks,
          ingestedAt: new Date().toISOString(),
        };
        current.files[plan.file.source] = entry;
        changes.set(plan.file.source, entry);
        (plan.previous ? updated : added).push(plan.file.source);
        progress.chunks += chunks;
        progress.filesDone++;
        storedDocuments += ids.length;
        for (const id of ids) {
          loadedDocs.delete(id);
          chunksPerDocument.delete(id);
        }
      }
      progress.documentsDone = before + documents.length;
      report();
      slice = [];
      sliceDocuments = 0;
      if (
        Date.now() - lastCheckpoint >= config.ingest.checkpointSeconds * 1000 ||
        staging.stagedRecords >= maxStaged
      )
        await checkpoint();
    };

    for (const plan of planned) {
      if (signal?.aborted) throw new RagloomError('ABORTED', 'ingest was interrupted');
      progress.file = plan.file.source;
      report();
      let documents: LoadedDocument[];
      try {
        const bytes = await readFile(plan.file.path);
        const result = await loadDocumentFile(bytes, plan.file.source);
        for (const w of result.warnings) warn(w);
        documents = result.documents;
      } catch (error) {
        if (!isRagloomError(error) && !(error as NodeJS.ErrnoException).code) throw error;
        const reason = isRagloomError(error)
          ? String(error.details.reason ?? error.message)
          : `cannot be read (${(error as NodeJS.ErrnoException).code})`;
        skipped.push({ source: plan.file.source, reason });
        warn(`skipped ${plan.file.source}: ${reason}`);
        if (plan.previous) {
          await pipeline.deleteDocuments(plan.previous.documents);
          delete current.files[plan.file.source];
          changes.set(plan.file.source, null);
          removed.push(plan.file.source);
        }
        progress.filesDone++;
        progress.documentsDone += plan.documentEstimate;
        continue;
      }
      for (const d of documents) loadedDocs.set(d.document.id, d);
      slice.push({ plan, documents: documents.map((d) => d.document) });
      sliceDocuments += documents.length;
      if (sliceDocuments >= sliceSize) await flush();
    }
    await flush();
    await checkpoint();
  } catch (error) {
    if (!isAbortError(error) && !signal?.aborted) throw error;
    interrupted = true;
  }
  progress.phase = 'done';
  report();
  return {
    added,
    updated,
    unchanged,
    removed,
    skipped,
    excluded,
    documents: storedDocuments,
    chunks: progress.chunks,
    interrupted,
    checkpointedDocuments,
    checkpoints,
    generation,
  };
}
