import { createInterface } from 'node:readline/promises';
import { type ChatMessage, isAbortError } from '@ragloom/core';
import type { Command } from 'commander';
import { generationFor } from '../../runtime/answer-stream.js';
import { printAnswerStream } from '../answer-printer.js';
import { CHAT_HELP, parseChatInput } from '../chat-input.js';
import { type GlobalOptions, openCliRuntime, printError } from '../cli-context.js';
import { style, useColor } from '../terminal.js';

/** Turns of history sent with each question (user + assistant messages). */
const HISTORY_MESSAGES = 8;

export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description(
      'an interactive chat over the index; keeps the conversation as context for follow-up questions',
    )
    .addHelpText(
      'after',
      `
Type a question and press Enter. Questions can also be piped in, one per line.
${CHAT_HELP}`,
    )
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const runtime = await openCliRuntime(globals, { generator: true });
      const color = useColor();
      const interactive = process.stdin.isTTY === true;
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
      // Piped input is read through the async iterator, which buffers lines that arrive while answering.
      const piped = interactive ? undefined : rl[Symbol.asyncIterator]();
      let history: ChatMessage[] = [];
      let current: AbortController | undefined;
      rl.on('SIGINT', () => {
        if (current) current.abort();
        else {
          // Ctrl-C at the prompt quits; end the prompt's line so the shell's prompt starts on its own.
          process.stdout.write('\n');
          rl.close();
        }
      });
      const mode = runtime.describeMode();
      process.stderr.write(
        `${style.dim(`retrieval: ${mode.retrieval}\nanswer: ${mode.answer}\n/help lists the commands, /exit quits`, useColor(process.stderr))}\n`,
      );
      try {
        const prompt = style.bold('you › ', color);
        for (;;) {
          let line: string;
          try {
            if (piped) {
              const next = await piped.next();
              if (next.done) break;
              line = next.value;
            } else {
              line = await rl.question(prompt);
            }
          } catch {
            break; // input closed (Ctrl-D)
          }
          const input = parseChatInput(line);
          if (input.kind === 'empty') continue;
          if (input.kind === 'exit') break;
          if (input.kind === 'help') {
            process.stdout.write(`${CHAT_HELP}\n`);
            continue;
          }
          if (input.kind === 'unknown-command') {
            process.stdout.write(`unknown command ${input.command}\n${CHAT_HELP}\n`);
            continue;
          }
          if (input.kind === 'clear') {
            history = [];
            process.stdout.write('(conversation cleared)\n');
            continue;
          }
          const question = input.text;
          if (!interactive) process.stdout.write(`${prompt}${question}\n`);
          process.stdout.write(style.bold('ragloom › ', color));
          current = new AbortController();
          // Answer from what another process committed meanwhile (or, if that cannot be opened, from before).
          await runtime.indexSet.refresh().catch(printError);
          try {
            const result = await printAnswerStream(
              runtime.pipeline.askStream(question, {
                history: history.slice(-HISTORY_MESSAGES),
                signal: current.signal,
                generation: generationFor(runtime),
              }),
              { color },
            );
            history.push({ role: 'user', content: question }, { role: 'assistant', content: result.answer });
          } catch (error) {
            if (isAbortError(error)) process.stdout.write('\n(stopped)\n');
            else printError(error);
          } finally {
            current = undefined;
          }
        }
      } finally {
        rl.close();
        await runtime.close();
      }
    });
}
