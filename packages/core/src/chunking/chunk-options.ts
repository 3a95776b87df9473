import { RagloomError } from '../errors/ragloom-error.js';

export interface ChunkSizeOptions {
  /** Largest chunk, measured by `lengthFunction` (default 1000 characters). */
  readonly chunkSize?: number;
  /** How much of the end of a chunk the next one repeats, in the same unit (default 0). */
  readonly chunkOverlap?: number;
  /**
   * Measures text: default UTF-16 length (characters). Pass a token counter to size chunks in
   * tokens, e.g. `(t) => tokenizer.encode(t).ids.length`.
   */
  readonly lengthFunction?: (text: string) => number;
}

export interface ResolvedSizeOptions {
  readonly chunkSize: number;
  readonly chunkOverlap: number;
  /** Length of text.slice(start, end). */
  readonly measure: (text: string, start: number, end: number) => number;
}

export function resolveSizeOptions(options: ChunkSizeOptions, defaultSize = 1000): ResolvedSizeOptions {
  const chunkSize = options.chunkSize ?? defaultSize;
  const chunkOverlap = options.chunkOverlap ?? 0;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `chunkSize must be a positive integer, got ${String(chunkSize)}`,
    );
  }
  if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `chunkOverlap must be an integer in [0, chunkSize), got ${String(chunkOverlap)} with chunkSize ${chunkSize}`,
    );
  }
  const fn = options.lengthFunction;
  if (fn !== undefined && typeof fn !== 'function') {
    throw new RagloomError('INVALID_ARGUMENT', 'lengthFunction must be a function (text) => number');
  }
  const measure = fn
    ? (text: string, start: number, end: number) => fn(text.slice(start, end))
    : (_text: string, start: number, end: number) => end - start;
  return { chunkSize, chunkOverlap, measure };
}
