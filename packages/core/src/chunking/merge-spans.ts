import type { ResolvedSizeOptions } from './chunk-options.js';
import { type Span, splitAfter, splitCodePoints, trimSpan } from './text-spans.js';

/**
 * Splits [span] into contiguous pieces that each fit `chunkSize`, trying separators in order
 * (the empty string means single code points) — the recursive strategy of LangChain's
 * RecursiveCharacterTextSplitter, but on offsets, so nothing is lost or rewritten.
 */
export function splitToFit(
  text: string,
  span: Span,
  separators: readonly string[],
  size: ResolvedSizeOptions,
): Span[] {
  if (size.measure(text, span.start, span.end) <= size.chunkSize) return [span];
  const index = separators.findIndex((s) => s === '' || text.slice(span.start, span.end).includes(s));
  if (index === -1) return splitCodePoints(text, span);
  const separator = separators[index]!;
  const pieces = separator === '' ? splitCodePoints(text, span) : splitAfter(text, span, separator);
  if (pieces.length === 1) return splitToFit(text, span, separators.slice(index + 1), size);
  const rest = separators.slice(index + 1);
  return pieces.flatMap((piece) =>
    size.measure(text, piece.start, piece.end) <= size.chunkSize
      ? [piece]
      : splitToFit(text, piece, rest, size),
  );
}

/**
 * Greedily merges contiguous pieces into chunks no larger than chunkSize, each next chunk starting
 * with the trailing pieces of the previous one that fit in chunkOverlap. Returns trimmed, non-empty
 * spans. A single piece larger than chunkSize (possible only with a coarse length function) becomes
 * its own chunk.
 */
export function mergeSpans(text: string, pieces: readonly Span[], size: ResolvedSizeOptions): Span[] {
  const chunks: Span[] = [];
  const window: Span[] = [];
  const emit = () => {
    if (window.length === 0) return;
    const span = trimSpan(text, { start: window[0]!.start, end: window.at(-1)!.end });
    const last = chunks.at(-1);
    // Skip empties, and a chunk entirely inside the previous one (only overlap was left).
    if (span.end > span.start && !(last && span.start >= last.start && span.end <= last.end))
      chunks.push(span);
  };
  for (const piece of pieces) {
    if (window.length > 0 && size.measure(text, window[0]!.start, piece.end) > size.chunkSize) {
      emit();
      // Keep a tail for overlap that also leaves room for the new piece.
      while (
        window.length > 0 &&
        (size.measure(text, window[0]!.start, window.at(-1)!.end) > size.chunkOverlap ||
          size.measure(text, window[0]!.start, piece.end) > size.chunkSize)
      ) {
        window.shift();
      }
    }
    window.push(piece);
  }
  emit();
  return chunks;
}
