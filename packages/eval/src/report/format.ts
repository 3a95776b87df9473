/** Number formatting shared by the Markdown and HTML reports. */
export const formatScore = (v: number | undefined) =>
  v === undefined || v === null || !Number.isFinite(v) ? '–' : v.toFixed(4);

export const formatMs = (v: number | undefined) =>
  v === undefined || v === null || !Number.isFinite(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1);

export const formatDelta = (v: number) =>
  !Number.isFinite(v) ? '–' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`;

export const formatP = (p: number) => (!Number.isFinite(p) ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3));

/** Human labels for how judged metrics were computed. */
export const METHOD_LABELS: Readonly<Record<string, string>> = {
  'llm-judge': 'LLM judge',
  'token-overlap': 'token overlap (deterministic offline fallback, not an LLM judgment)',
  'embedding-similarity': 'embedding similarity (offline fallback)',
};

/** The measures of a family with cutoffs, by k ascending: { ndcg: [[1,'ndcg@1'], [10,'ndcg@10']] }. */
export function measuresByK(measures: readonly string[]): Map<string, [number, string][]> {
  const families = new Map<string, [number, string][]>();
  for (const name of measures) {
    const m = /^(.+)@(\d+)$/.exec(name);
    if (!m) continue;
    const list = families.get(m[1]!) ?? [];
    list.push([Number(m[2]), name]);
    families.set(m[1]!, list);
  }
  for (const list of families.values()) list.sort((a, b) => a[0] - b[0]);
  return families;
}
