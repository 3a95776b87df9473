import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ingestFiles } from '../../ingest/ingest-files.js';
import { INGEST_STATE_FILE } from '../../ingest/ingest-state.js';
import { openRuntime } from '../../runtime/open-runtime.js';
import {
  downloadProgress,
  type GlobalOptions,
  info,
  interruptSignal,
  loadCliConfig,
  warn,
} from '../cli-context.js';
import { createProgressBar } from '../progress-bar.js';

interface IngestCommandOptions {
  readonly rebuild?: boolean;
  readonly prune: boolean;
}

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description(
      'load, chunk, embed and index files (.md .txt .rst .html .docx .pdf .jsonl); only new or changed files are processed',
    )
    .argument('<paths...>', 'files or folders to ingest')
    .option('--rebuild', 'drop the existing indexes and ingest everything from scratch')
    .option('--no-prune', 'keep the chunks of files that were deleted from these folders')
    .addHelpText(
      'after',
      `
Files are tracked by content hash in <dataDir>/${INGEST_STATE_FILE}: unchanged files are skipped, changed ones
replace their old chunks, and files gone from the given folders lose theirs. Every index is saved atomically
at checkpoints (ingest.checkpointSeconds) and at the end; Ctrl-C keeps the last checkpoint.

Examples:
  ragloom ingest docs/
  ragloom ingest README.md handbook.pdf faq.jsonl
  ragloom ingest --rebuild docs/`,
    )
    .action(async (paths: string[], options: IngestCommandOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const loaded = await loadCliConfig(globals);
      if (options.rebuild) {
        await rm(join(loaded.dataDir, 'indexes'), { recursive: true, force: true });
        await rm(join(loaded.dataDir, INGEST_STATE_FILE), { force: true });
      }
      const interrupt = interruptSignal(() =>
        process.stderr.write(
          '\nstopping: the index keeps its last checkpoint (Ctrl-C again to quit at once)\n',
        ),
      );
      const runtime = await openRuntime(loaded, {
        onProgress: downloadProgress(),
        log: (level, message) => (level === 'warn' ? warn(message) : info(message, globals)),
        signal: interrupt.signal,
      });
      try {
        if (options.rebuild) {
          // Remote indexes (Qdrant) survive the folder removal above; empty them too.
          for (const entry of runtime.retrievers) {
            if ((await entry.retriever.count()) > 0) await entry.retriever.delete({ filter: {} });
          }
        }
        info(`retrieval: ${runtime.describeMode().retrieval}`, globals);
        const bar = createProgressBar({ title: 'ingest', unit: 'docs' });
        const started = Date.now();
        const result = await ingestFiles(runtime, {
          paths,
          prune: options.prune,
          signal: interrupt.signal,
          onWarning: (message) => {
            bar.clear();
            warn(message);
          },
          onProgress: (p) => {
            if (p.phase === 'ingesting' && p.documentsTotal > 0) {
              bar.update(
                p.documentsDone,
                p.documentsTotal,
                `${p.chunks} chunks${p.file ? ` · ${p.file}` : ''}`,
              );
            } else if (p.phase === 'saving') {
              bar.update(p.documentsDone, p.documentsTotal, 'saving');
            }
          },
        });
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const summary =
          `${result.added.length} new, ${result.updated.length} changed, ${result.unchanged} unchanged, ` +
          `${result.removed.length} removed, ${result.skipped.length} skipped`;
        if (result.interrupted) {
          bar.done(`interrupted after ${result.documents} documents`);
          process.stderr.write(
            `the index on disk is the last checkpoint (${result.checkpoints} written in this run); ` +
              'run the same command again to continue\n',
          );
          process.exitCode = 130;
          return;
        }
        bar.done(`ingested ${result.documents} documents, ${result.chunks} chunks`);
        process.stdout.write(`files: ${summary} (${seconds}s)\n`);
        if (!existsSync(loaded.dataDir)) return;
        process.stdout.write(`index: ${loaded.dataDir}\n`);
      } finally {
        interrupt.dispose();
        await runtime.close();
      }
    });
}
