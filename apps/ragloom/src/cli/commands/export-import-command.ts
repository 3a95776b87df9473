import { resolve } from 'node:path';
import { copyRecords, RagloomError, type RetrieverV1 } from '@ragloom/core';
import type { Command } from 'commander';
import { requireWriter } from '../../ingest/require-writer.js';
import { exportIndex, importIndex } from '../../runtime/index-dump.js';
import type { RagloomRuntime, RetrieverEntry } from '../../runtime/open-runtime.js';
import { type GlobalOptions, info, interruptSignal, loadCliConfig, openCliRuntime } from '../cli-context.js';
import { createProgressBar } from '../progress-bar.js';
import { takeWriterLock } from '../writer-access.js';

/** The member behind a runtime entry, inside a commit (the entry itself only reads). */
function member(members: ReadonlyMap<string, RetrieverV1>, name: string) {
  const found = members.get(name);
  if (!found) throw new RagloomError('INVALID_ARGUMENT', `no retriever named "${name}" in this index set`);
  return found;
}

/** Opens the runtime as the data dir's one writer (waiting for another, refusing while a server owns it). */
async function openWriterRuntime(
  globals: GlobalOptions,
  command: string,
  wait: string | undefined,
  signal: AbortSignal,
) {
  const loaded = await loadCliConfig(globals);
  const lock = await takeWriterLock(loaded, globals, { wait, command, signal });
  try {
    const runtime = await openCliRuntime(globals, { signal, access: 'write', lock, tolerateMismatch: true });
    return {
      runtime,
      close: async () => {
        await runtime.close();
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

function pickRetriever(runtime: RagloomRuntime, name: string | undefined, flag: string): RetrieverEntry {
  const names = runtime.retrievers.map((r) => r.name);
  if (name === undefined) {
    if (runtime.retrievers.length === 1) return runtime.retrievers[0]!;
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `several retrievers are configured (${names.join(', ')}); pick one with ${flag}`,
    );
  }
  const entry = runtime.retrievers.find((r) => r.name === name);
  if (!entry)
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${flag} ${name}: no such retriever (configured: ${names.join(', ')})`,
    );
  return entry;
}

export function registerExportImportCommands(program: Command): void {
  program
    .command('export')
    .description('write an index to a dump file, or copy it into another configured retriever')
    .option('-r, --retriever <name>', 'the retriever to export (needed when several are configured)')
    .option('-o, --out <file>', 'dump file to write (JSONL: header, records with vectors, end marker)')
    .option('--to <name>', 'copy straight into this configured retriever instead (e.g. a Qdrant one)')
    .option('--wait <seconds>', 'with --to: how long to wait while another process writes the index')
    .addHelpText(
      'after',
      `
Moving a local HNSW index to Qdrant:
  ragloom export --retriever dense --out dense.jsonl     # then point the config at Qdrant and:
  ragloom import dense.jsonl --retriever dense
or, with both configured side by side:
  ragloom export --retriever dense --to qdrant`,
    )
    .action(
      async (options: { retriever?: string; out?: string; to?: string; wait?: string }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        if (!options.out === !options.to) {
          throw new RagloomError('INVALID_ARGUMENT', 'give either --out <file> or --to <retriever>');
        }
        const interrupt = interruptSignal();
        const opened = options.to
          ? await openWriterRuntime(
              globals,
              [
                'ragloom export',
                options.retriever && `--retriever ${options.retriever}`,
                `--to ${options.to}`,
              ]
                .filter(Boolean)
                .join(' '),
              options.wait,
              interrupt.signal,
            )
          : undefined;
        const runtime = opened?.runtime ?? (await openCliRuntime(globals, { signal: interrupt.signal }));
        try {
          const source = pickRetriever(runtime, options.retriever, '--retriever');
          const bar = createProgressBar({ title: 'export', unit: 'records' });
          const onProgress = (e: { completed: number; total?: number }) => bar.update(e.completed, e.total);
          if (options.to) {
            const target = pickRetriever(runtime, options.to, '--to');
            let copied = 0;
            // One commit: the target gets the whole copy, or (Ctrl-C, an error) keeps what it had.
            const { generation } = await requireWriter(runtime, 'export --to').commit({
              changed: [target.name],
              apply: async (members) => {
                ({ copied } = await copyRecords(member(members, source.name), member(members, target.name), {
                  signal: interrupt.signal,
                  onProgress,
                }));
              },
            });
            bar.done(
              `copied ${copied} records from ${source.name} to ${target.name} (generation ${generation})`,
            );
            return;
          }
          const path = resolve(options.out!);
          const { records } = await exportIndex(source.retriever, path, {
            signal: interrupt.signal,
            onProgress,
          });
          bar.done(`exported ${records} records of ${source.name} to ${path}`);
        } finally {
          interrupt.dispose();
          await (opened?.close() ?? runtime.close());
        }
      },
    );

  program
    .command('import')
    .description('load a dump written by `ragloom export` into a configured retriever')
    .argument('<file>', 'the dump file')
    .option('-r, --retriever <name>', 'the retriever to load into (needed when several are configured)')
    .option('--wait <seconds>', 'how long to wait while another process writes the index')
    .action(async (file: string, options: { retriever?: string; wait?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const interrupt = interruptSignal();
      const { runtime, close } = await openWriterRuntime(
        globals,
        `ragloom import ${file}`,
        options.wait,
        interrupt.signal,
      );
      try {
        const target = pickRetriever(runtime, options.retriever, '--retriever');
        const bar = createProgressBar({ title: 'import', unit: 'records' });
        let records = 0;
        // One commit: the dump goes in whole, or (a damaged dump, Ctrl-C) not at all.
        const { generation, counts } = await requireWriter(runtime, 'import').commit({
          changed: [target.name],
          apply: async (members) => {
            ({ records } = await importIndex(resolve(file), member(members, target.name), {
              signal: interrupt.signal,
              onProgress: (e) => bar.update(e.completed, e.total),
            }));
          },
        });
        bar.done(`imported ${records} records into ${target.name} (generation ${generation})`);
        info(`the ${target.name} index now holds ${counts.get(target.name)} records`, globals);
      } finally {
        interrupt.dispose();
        await close();
      }
    });
}
