import { resolve } from 'node:path';
import { copyRecords, RagloomError } from '@ragloom/core';
import type { Command } from 'commander';
import { exportIndex, importIndex } from '../../runtime/index-dump.js';
import type { RagloomRuntime, RetrieverEntry } from '../../runtime/open-runtime.js';
import { type GlobalOptions, info, interruptSignal, openCliRuntime } from '../cli-context.js';
import { createProgressBar } from '../progress-bar.js';

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
    .addHelpText(
      'after',
      `
Moving a local HNSW index to Qdrant:
  ragloom export --retriever dense --out dense.jsonl     # then point the config at Qdrant and:
  ragloom import dense.jsonl --retriever dense
or, with both configured side by side:
  ragloom export --retriever dense --to qdrant`,
    )
    .action(async (options: { retriever?: string; out?: string; to?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      if (!options.out === !options.to) {
        throw new RagloomError('INVALID_ARGUMENT', 'give either --out <file> or --to <retriever>');
      }
      const interrupt = interruptSignal();
      const runtime = await openCliRuntime(globals, { signal: interrupt.signal });
      try {
        const source = pickRetriever(runtime, options.retriever, '--retriever');
        const bar = createProgressBar({ title: 'export', unit: 'records' });
        const onProgress = (e: { completed: number; total?: number }) => bar.update(e.completed, e.total);
        if (options.to) {
          const target = pickRetriever(runtime, options.to, '--to');
          const { copied } = await copyRecords(source.retriever, target.retriever, {
            signal: interrupt.signal,
            onProgress,
          });
          bar.done(`copied ${copied} records from ${source.name} to ${target.name}`);
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
        await runtime.close();
      }
    });

  program
    .command('import')
    .description('load a dump written by `ragloom export` into a configured retriever')
    .argument('<file>', 'the dump file')
    .option('-r, --retriever <name>', 'the retriever to load into (needed when several are configured)')
    .action(async (file: string, options: { retriever?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const interrupt = interruptSignal();
      const runtime = await openCliRuntime(globals, { signal: interrupt.signal });
      try {
        const target = pickRetriever(runtime, options.retriever, '--retriever');
        const bar = createProgressBar({ title: 'import', unit: 'records' });
        const { records } = await importIndex(resolve(file), target.retriever, {
          signal: interrupt.signal,
          onProgress: (e) => bar.update(e.completed, e.total),
        });
        bar.done(`imported ${records} records into ${target.name}`);
        info(`the ${target.name} index now holds ${await target.retriever.count()} records`, globals);
      } finally {
        interrupt.dispose();
        await runtime.close();
      }
    });
}
