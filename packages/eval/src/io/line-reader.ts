import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { RagloomError, throwIfAborted } from '@ragloom/core';

export interface NumberedLine {
  /** The line without its line break (and without a byte-order mark on line 1). */
  readonly text: string;
  /** 1-based. */
  readonly line: number;
}

/** Throws NOT_FOUND naming the file when it does not exist or is not a file. */
export async function assertReadableFile(path: string, what = 'file'): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new RagloomError('NOT_FOUND', `${what} not found: ${path}`, { cause, details: { file: path } });
  }
  if (!info.isFile()) {
    throw new RagloomError('NOT_FOUND', `${what} is not a file: ${path}`, { details: { file: path } });
  }
}

/** Streams a text file line by line (UTF-8, LF or CRLF), without loading it whole. */
export async function* readLines(
  path: string,
  options: { signal?: AbortSignal; what?: string } = {},
): AsyncGenerator<NumberedLine> {
  await assertReadableFile(path, options.what);
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const raw of lines) {
      line++;
      throwIfAborted(options.signal, `reading ${path}`);
      yield { text: line === 1 ? raw.replace(/^\uFEFF/, '') : raw, line };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** A malformed-input error that names the file and line, with both in `details`. */
export function malformedLine(file: string, line: number, problem: string, cause?: unknown): RagloomError {
  return new RagloomError('INVALID_ARGUMENT', `${file}:${line}: ${problem}`, {
    cause,
    details: { file, line },
  });
}

/**
 * Streams a JSON Lines file: one JSON value per non-blank line. A line that does not parse throws
 * INVALID_ARGUMENT naming the file and line number.
 */
export async function* readJsonLines(
  path: string,
  options: { signal?: AbortSignal; what?: string } = {},
): AsyncGenerator<{ value: unknown; line: number }> {
  for await (const { text, line } of readLines(path, options)) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw malformedLine(path, line, `malformed JSON (${(cause as Error).message})`, cause);
    }
    yield { value, line };
  }
}
