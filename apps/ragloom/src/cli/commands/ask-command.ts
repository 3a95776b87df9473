import { isAbortError } from '@ragloom/core';
import type { Command } from 'commander';
import { generationFor } from '../../runtime/answer-stream.js';
import { parseFilterOption } from '../../runtime/filter-option.js';
import { answerToJson, printAnswerStream } from '../answer-printer.js';
import { type GlobalOptions, interruptSignal, openCliRuntime } from '../cli-context.js';
import { style, useColor } from '../terminal.js';

interface AskOptions {
  readonly k?: string;
  readonly filter?: string;
  readonly json?: boolean;
}

export function registerAskCommand(program: Command): void {
  program
    .command('ask')
    .description('answer a question from the index, streamed, with numbered citations to file and line')
    .argument('<question>', 'the question')
    .option('-k, --k <n>', 'passages given to the answer (default: retrieval.topK)')
    .option('--filter <json>', 'metadata filter for retrieval')
    .option('--json', 'print the whole result as JSON (no streaming)')
    .addHelpText(
      'after',
      `
Without a generator (none configured, or its model is unavailable) the answer is extractive: the sentences
of the retrieved passages that best match the question, each cited. The first line on stderr says which.

Examples:
  ragloom ask "How do I run ragloom without a network?"
  ragloom ask "如何增量导入文档？" --json`,
    )
    .action(async (question: string, options: AskOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const k = options.k === undefined ? undefined : Number(options.k);
      const filter = parseFilterOption(options.filter);
      const interrupt = interruptSignal();
      const runtime = await openCliRuntime(globals, { generator: true, signal: interrupt.signal });
      try {
        if (options.json) {
          const result = await runtime.pipeline.ask(question, {
            k,
            filter,
            signal: interrupt.signal,
            generation: generationFor(runtime),
          });
          process.stdout.write(`${JSON.stringify(answerToJson(question, result), null, 2)}\n`);
          return;
        }
        const color = useColor(process.stderr);
        const mode = runtime.describeMode();
        if (!globals.quiet) {
          process.stderr.write(
            `${style.dim(`retrieval: ${mode.retrieval}\nanswer: ${mode.answer}`, color)}\n\n`,
          );
        }
        try {
          await printAnswerStream(
            runtime.pipeline.askStream(question, {
              k,
              filter,
              signal: interrupt.signal,
              generation: generationFor(runtime),
            }),
            { color: useColor() },
          );
        } catch (error) {
          if (!isAbortError(error)) throw error;
          process.stdout.write('\n(stopped)\n');
          process.exitCode = 130;
        }
      } finally {
        interrupt.dispose();
        await runtime.close();
      }
    });
}
