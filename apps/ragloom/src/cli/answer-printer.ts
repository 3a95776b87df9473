import type { AskResult, AskStreamPart } from '@ragloom/core';
import { locateCitation, locatePassage } from '../runtime/source-location.js';
import { ragloomExtension, usageJson } from '../server/citation-json.js';
import { excerpt, style } from './terminal.js';

/**
 * The JSON shape of an answer (`ask --json`): the same fields, in the same snake_case, as the server's
 * chat completion and its `ragloom` extension (one naming convention for CLI JSON and HTTP).
 */
export function answerToJson(question: string, result: AskResult) {
  return {
    question,
    answer: result.answer,
    finish_reason: result.finishReason,
    usage: usageJson(result.usage),
    ...ragloomExtension(result),
  };
}

/** Lines listing the sources an answer cites: `[1] docs/cli.md:12-13 "quoted text"`. */
export function formatSources(result: AskResult, color: boolean): string {
  if (result.citations.length === 0) {
    if (result.passages.length === 0) return '';
    const lines = result.passages.map(
      (p, i) =>
        `  [${i + 1}] ${style.cyan(locatePassage(p).label, color)}  ${style.dim(excerpt(p.text, 80), color)}`,
    );
    return `${style.bold('Passages (the answer cites none)', color)}\n${lines.join('\n')}\n`;
  }
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const c of result.citations) {
    const where = locateCitation(c, result.passages[c.number - 1]);
    const key = `${c.number}:${where.label}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(
      `  [${c.number}] ${style.cyan(where.label, color)}  ${style.dim(`"${excerpt(c.text, 80)}"`, color)}`,
    );
  }
  return `${style.bold('Sources', color)}\n${lines.join('\n')}\n`;
}

/**
 * Prints an answer as it streams (token by token to stdout), then its numbered sources. Returns the final
 * result, so chat can keep it in the history.
 */
export async function printAnswerStream(
  parts: AsyncIterable<AskStreamPart>,
  options: { color: boolean; out?: NodeJS.WritableStream },
): Promise<AskResult> {
  const out = options.out ?? process.stdout;
  for await (const part of parts) {
    if (part.type === 'text-delta') out.write(part.delta);
    else if (part.type === 'finish') {
      const { type: _type, ...result } = part;
      out.write('\n\n');
      out.write(formatSources(result, options.color));
      return result;
    }
  }
  throw new Error('the answer stream ended without a result');
}
