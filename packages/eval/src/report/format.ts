import type { EvalRunResult, PipelineQuestionRecord } from '../runner/run-types.js';

/** Number formatting shared by the Markdown and HTML reports. */
export const formatScore = (v: number | undefined) =>
  v === undefined || v === null || !Number.isFinite(v) ? '–' : v.toFixed(4);

export const formatMs = (v: number | undefined) =>
  v === undefined || v === null || !Number.isFinite(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1);

export const formatDelta = (v: number) =>
  !Number.isFinite(v) ? '–' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`;

export const formatP = (p: number) => (!Number.isFinite(p) ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3));

/** A run's token usage in one line: embedding tokens, and for pipelines generation, judge tokens and cost. */
export function usageText(run: EvalRunResult): string {
  if (run.kind === 'retrieval') return `${run.usage.embeddingTokens} embedding tokens`;
  const u = run.usage;
  const cost = u.costUsd === undefined ? '' : `, $${u.costUsd.toFixed(4)}`;
  // Reports written before pipelines counted embedding tokens have none to show.
  const embedded = u.embeddingTokens === undefined ? '' : `${u.embeddingTokens} embedding + `;
  return `${embedded}${u.promptTokens} prompt + ${u.completionTokens} completion tokens, ${u.judgeTokens} judge tokens${cost}`;
}

/** A pipeline's answer as a table shows it; a decline is marked as such (it is scored as "no answer"). */
export const answerCell = (q: Pick<PipelineQuestionRecord, 'answer' | 'outcome'>) =>
  q.outcome === 'declined' ? `(declined) ${q.answer}` : q.answer;

/** The gold answers of a question, distinct, separated by " | "; "(no answer)" for an unanswerable one. */
export const goldCell = (golds: readonly string[]) =>
  golds.length === 0 ? '(no answer)' : [...new Set(golds)].join(' | ');

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
