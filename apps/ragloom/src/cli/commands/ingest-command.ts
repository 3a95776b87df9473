import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isRagloomError } from '@ragloom/core';
import type { Command } from 'commander';
import { describeLockHolder } from '../../index-set/writer-lock.js';
import { type IngestFilesOptions, type IngestFilesResult, ingestFiles } from '../../ingest/ingest-files.js';
import { openRuntime, settingsFingerprint } from '../../runtime/open-runtime.js';
import { commandOutput, type GlobalOptions, interruptSignal, loadCliConfig } from '../cli-context.js';
import { ingestThroughServer } from '../ingest-through-server.js';
import { createProgressBar } from '../progress-bar.js';
import { takeWriterAccess } from '../writer-access.js';

interface IngestCommandOptions {
  readonly rebuild?: boolean;
  readonly prune: boolean;
  readonly wait?: string;
  readonly exclude?: string[];
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
    .option(
      '--exclude <pattern...>',
      'leave out paths matching these .gitignore-style patterns (besides ingest.exclude and .gitignore files)',
    )
    .option(
      '--wait <seconds>',
      'how long to wait while another process writes the index (default: lock.waitSeconds)',
    )
    .addHelpText(
      'after',
      `
Files are tracked by content hash in the ingest state: unchanged files are skipped, changed ones replace
their old chunks, and files gone from the given folders lose theirs. Every checkpoint (ingest.checkpointSeconds,
and the end) commits all indexes and the state together: Ctrl-C keeps the last checkpoint, and so does a crash.

One process writes a data dir at a time: another ingest waits for the lock (--wait), and while
\`ragloom serve\` runs on this data dir the ingest is sent to it and committed there.

Folders are walked without leaving them: hidden names and what .gitignore files, ingest.exclude and
--exclude name are left out, and symbolic links are followed only while they stay inside the folder
(ingest.followSymlinks: inside | never | all). What was skipped or left out is listed with its reason.
An ingest larger than ingest.maxTotalMiB is refused before any work.

Examples:
  ragloom ingest docs/
  ragloom ingest --exclude 'drafts/**' '*.log' -- docs/
  ragloom ingest README.md handbook.pdf faq.jsonl
  ragloom ingest --rebuild docs/`,
    )
    .action(async (paths: string[], options: IngestCommandOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const loaded = await loadCliConfig(globals);
      const output = commandOutput(globals);
      const interrupt = interruptSignal(() =>
        process.stderr.write(
          '\nstopping: the index keeps its last checkpoint (Ctrl-C again to quit at once)\n',
        ),
      );
      const bar = createProgressBar({ title: 'ingest', unit: 'docs' });
      const report: Pick<IngestFilesOptions, 'onProgress' | 'onWarning'> = {
        onWarning: (message) => {
          bar.clear();
          output.warn(message);
        },
        onProgress: (p) => {
          if (p.phase === 'ingesting' && p.documentsTotal > 0) {
            bar.update(
              p.documentsDone,
              p.documentsTotal,
              `${p.chunks} chunks${p.file ? ` · ${p.file}` : ''}`,
            );
          } else if (p.phase === 'saving') {
            bar.update(p.documentsDone, p.documentsTotal, `${p.chunks} chunks · saving`);
          }
        },
      };
      const started = Date.now();
      let result: IngestFilesResult;
      try {
        const access = await takeWriterAccess(loaded, globals, {
          wait: options.wait,
          throughServer: true,
          command: `ragloom ingest ${paths.join(' ')}`,
          signal: interrupt.signal,
        });
        if (access.kind === 'server') {
          output.info(`the index is served by ${describeLockHolder(access.holder)}, which runs this ingest`);
          try {
            result = await ingestThroughServer(
              access.holder,
              {
                paths: paths.map((p) => resolve(p)),
                prune: options.prune,
                rebuild: options.rebuild,
                exclude: options.exclude,
                config: loaded.path,
                settings: settingsFingerprint(loaded.config),
              },
              {
                ...report,
                signal: interrupt.signal,
                apiKey: process.env[loaded.config.server.apiKeyEnv] || undefined,
              },
            );
          } catch (error) {
            if (!isRagloomError(error, 'ABORTED')) throw error;
            bar.stop('interrupted at');
            process.stderr.write(
              'the server keeps the last checkpoint of this ingest; run the same command again to continue\n',
            );
            process.exitCode = 130;
            return;
          }
        } else {
          try {
            const runtime = await openRuntime(loaded, {
              ...output.runtime,
              signal: interrupt.signal,
              access: 'write',
              lock: access.lock,
              rebuild: options.rebuild,
            });
            try {
              output.info(`retrieval: ${runtime.describeMode().retrieval}`);
              result = await ingestFiles(runtime, {
                paths,
                exclude: options.exclude,
                prune: options.prune,
                rebuild: options.rebuild,
                signal: interrupt.signal,
                ...report,
              });
            } finally {
              await runtime.close();
            }
          } finally {
            await access.lock.release();
          }
        }
      } finally {
        interrupt.dispose();
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const summary =
        `${result.added.length} new, ${result.updated.length} changed, ${result.unchanged} unchanged, ` +
        `${result.removed.length} removed, ${result.skipped.length} skipped, ${result.excluded.length} left out`;
      if (result.interrupted) {
        bar.stop('interrupted at');
        process.stderr.write(
          `the index on disk is the last checkpoint (${result.checkpoints} written in this run, holding ` +
            `${result.checkpointedDocuments} of its documents); run the same command again to continue\n`,
        );
        process.exitCode = 130;
        return;
      }
      bar.done(`ingested ${result.documents} documents, ${result.chunks} chunks`);
      process.stdout.write(`files: ${summary} (${seconds}s)\n`);
      if (!existsSync(loaded.dataDir)) return;
      process.stdout.write(`index: ${loaded.dataDir} (generation ${result.generation})\n`);
    });
}
