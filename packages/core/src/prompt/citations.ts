// [1], [1, 2], [1][3], 【2】, ［2］, [1-3] / [1–3] (ranges), as models write them in English and Chinese.
const CITATION = /[[【［]\s*(\d+(?:\s*[-–]\s*\d+)?(?:\s*[,，、]\s*\d+(?:\s*[-–]\s*\d+)?)*)\s*[\]】］]/g;

/**
 * The passage numbers (1-based) an answer cites, in order of first appearance, ignoring numbers
 * outside 1..passageCount (a model citing [7] of 5 passages cites nothing real).
 */
export function parseCitations(answer: string, passageCount: number): number[] {
  const seen = new Set<number>();
  for (const match of answer.matchAll(CITATION)) {
    for (const part of match[1]!.split(/[,，、]/)) {
      const [from, to] = part.split(/[-–]/).map((n) => Number.parseInt(n.trim(), 10));
      const last = to !== undefined && to >= from! && to - from! < 50 ? to : from!;
      for (let n = from!; n <= last; n++) if (n >= 1 && n <= passageCount) seen.add(n);
    }
  }
  return [...seen];
}

/** The answer without its citation markers (and the space before each), e.g. for judging or display. */
export function stripCitations(answer: string): string {
  return answer.replace(new RegExp(`\\s*${CITATION.source}`, 'g'), '');
}
