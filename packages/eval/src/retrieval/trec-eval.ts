import { RagloomError } from '@ragloom/core';
import {
  DEFAULT_MEASURES,
  type Measure,
  type MeasureInput,
  measureName,
  parseMeasure,
} from './retrieval-measures.js';
import {
  type Qrels,
  type QrelsMap,
  type RankedDocument,
  type Run,
  rankedDocumentsOf,
  runEntries,
  toQrelsMap,
} from './retrieval-types.js';

export interface RetrievalEvaluationOptions {
  /** Measures to compute (default: DEFAULT_MEASURES). */
  readonly measures?: readonly MeasureInput[];
  /** Lowest grade that counts as relevant for the binary measures (trec_eval `-l`, default 1). nDCG uses grades as gains regardless. */
  readonly relevanceLevel?: number;
  /**
   * Average over every query of the qrels, counting queries the run lacks as 0 (trec_eval `-c`).
   * Default false: average over the queries both have, as trec_eval does by default.
   */
  readonly averageOverQrels?: boolean;
  /**
   * How documents with equal scores are ordered. 'trec_eval' (default): by document id descending
   * (plain code-point comparison), ignoring the input order, as trec_eval does — so results are
   * comparable with published numbers. 'input': keep the order given (stable), e.g. to score a
   * retriever's own tie-breaking.
   */
  readonly ties?: 'trec_eval' | 'input';
}

export interface RetrievalEvaluation {
  /** Canonical measure names in the order asked: `ndcg@10`, `recall@100`, ... */
  readonly measures: readonly string[];
  /** Mean of each measure over the evaluated queries. */
  readonly aggregate: Readonly<Record<string, number>>;
  /** Per evaluated query (in qrels order), each measure. */
  readonly perQuery: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Query ids the mean was taken over. */
  readonly evaluatedQueries: number;
  /** In the qrels but not in the run (skipped, or scored 0 with averageOverQrels). */
  readonly missingFromRun: readonly string[];
  /** In the run but not in the qrels (ignored, as trec_eval 9 does). */
  readonly notInQrels: readonly string[];
  readonly relevanceLevel: number;
  readonly averageOverQrels: boolean;
}

// strcmp on UTF-8 bytes orders strings by code point; JavaScript's < compares UTF-16 units, which
// differs only for characters above U+FFFF against U+E000–U+FFFF.
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Orders a query's documents as trec_eval ranks them: score descending, then document id descending. */
export function trecRanking(documents: readonly RankedDocument[]): RankedDocument[] {
  return [...documents].sort((a, b) =>
    a.score !== b.score ? b.score - a.score : compareCodePoints(b.id, a.id),
  );
}

interface QueryJudgments {
  /** Number of documents at each grade ≥ 0 (index = grade). */
  readonly levelCounts: number[];
  /** Documents with grade ≥ relevanceLevel. */
  readonly relevantCount: number;
}

function judgmentsOf(grades: ReadonlyMap<string, number>, relevanceLevel: number): QueryJudgments {
  const levelCounts: number[] = [];
  let relevantCount = 0;
  for (const grade of grades.values()) {
    if (grade < 0) continue; // in the pool but unjudged: counts nowhere
    levelCounts[grade] = (levelCounts[grade] ?? 0) + 1;
    if (grade >= relevanceLevel) relevantCount++;
  }
  return { levelCounts, relevantCount };
}

/** Ideal DCG at a cutoff: relevant documents (grade ≥ 1) sorted by grade, gain = grade, discount log2(rank + 1). */
function idealDcg(levelCounts: readonly number[], cutoff: number): number {
  let ideal = 0;
  let rank = 0;
  for (let grade = levelCounts.length - 1; grade >= 1; grade--) {
    for (let n = levelCounts[grade] ?? 0; n > 0; n--) {
      if (rank >= cutoff) return ideal;
      ideal += grade / Math.log2(rank + 2);
      rank++;
    }
  }
  return ideal;
}

/** All measures of one query, from the grades of its ranked documents (undefined = not judged). */
function scoreQuery(
  rankedGrades: readonly (number | undefined)[],
  judgments: QueryJudgments,
  measures: readonly Measure[],
  relevanceLevel: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  const retrieved = rankedGrades.length;
  const isRelevant = (g: number | undefined) => g !== undefined && g >= relevanceLevel;
  for (const measure of measures) {
    const cutoff = Math.min(measure.k ?? retrieved, retrieved);
    let value = 0;
    switch (measure.family) {
      case 'ndcg': {
        let dcg = 0;
        for (let i = 0; i < cutoff; i++) {
          const g = rankedGrades[i];
          if (g !== undefined && g > 0) dcg += g / Math.log2(i + 2);
        }
        const ideal = idealDcg(judgments.levelCounts, measure.k ?? Number.POSITIVE_INFINITY);
        value = ideal > 0 ? dcg / ideal : dcg;
        break;
      }
      case 'precision': {
        let hits = 0;
        for (let i = 0; i < cutoff; i++) if (isRelevant(rankedGrades[i])) hits++;
        value = hits / measure.k!; // divided by k even when fewer were retrieved
        break;
      }
      case 'recall': {
        let hits = 0;
        for (let i = 0; i < cutoff; i++) if (isRelevant(rankedGrades[i])) hits++;
        value = judgments.relevantCount > 0 ? hits / judgments.relevantCount : 0;
        break;
      }
      case 'hit': {
        for (let i = 0; i < cutoff; i++) {
          if (isRelevant(rankedGrades[i])) {
            value = 1;
            break;
          }
        }
        break;
      }
      case 'mrr': {
        for (let i = 0; i < cutoff; i++) {
          if (isRelevant(rankedGrades[i])) {
            value = 1 / (i + 1);
            break;
          }
        }
        break;
      }
      case 'map': {
        let hits = 0;
        let sum = 0;
        for (let i = 0; i < cutoff; i++) {
          if (isRelevant(rankedGrades[i])) {
            hits++;
            sum += hits / (i + 1);
          }
        }
        value = judgments.relevantCount > 0 ? sum / judgments.relevantCount : 0;
        break;
      }
    }
    out[measureName(measure)] = value;
  }
  return out;
}

/** Parses and de-duplicates measures, keeping the order asked. */
export function resolveMeasures(inputs: readonly MeasureInput[] = DEFAULT_MEASURES): Measure[] {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new RagloomError('INVALID_ARGUMENT', 'measures must be a non-empty array');
  }
  const seen = new Set<string>();
  const measures: Measure[] = [];
  for (const input of inputs) {
    const measure = parseMeasure(input);
    const name = measureName(measure);
    if (!seen.has(name)) {
      seen.add(name);
      measures.push(measure);
    }
  }
  return measures;
}

/**
 * Evaluates a run against qrels with trec_eval's exact conventions (checked against values trec_eval
 * 9.0.8/10.0 printed): ranking by score then document id descending; unjudged documents are not
 * relevant; nDCG gain = grade with a log2(rank + 1) discount and an ideal ranking that includes
 * relevant documents never retrieved; P@k divides by k; MAP divides by the number of relevant
 * documents; queries with only non-relevant judgments score 0 and are averaged in; run queries the
 * qrels do not have are ignored; qrels queries the run lacks are skipped (or 0 with averageOverQrels).
 */
export function evaluateRun(
  qrels: Qrels,
  run: Run,
  options: RetrievalEvaluationOptions = {},
): RetrievalEvaluation {
  const relevanceLevel = options.relevanceLevel ?? 1;
  if (!Number.isInteger(relevanceLevel)) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `relevanceLevel must be an integer, got ${String(relevanceLevel)}`,
    );
  }
  const ties = options.ties ?? 'trec_eval';
  if (ties !== 'trec_eval' && ties !== 'input') {
    throw new RagloomError('INVALID_ARGUMENT', `ties must be 'trec_eval' or 'input', got ${String(ties)}`);
  }
  const measures = resolveMeasures(options.measures);
  const judged: QrelsMap = toQrelsMap(qrels);
  const runByQuery = new Map<string, RankedDocument[]>();
  const notInQrels: string[] = [];
  for (const [queryId, query] of runEntries(run)) {
    const docs = rankedDocumentsOf(queryId, query);
    if (!judged.has(queryId)) notInQrels.push(queryId);
    else runByQuery.set(queryId, docs);
  }

  const perQuery = new Map<string, Record<string, number>>();
  const missingFromRun: string[] = [];
  for (const [queryId, grades] of judged) {
    const docs = runByQuery.get(queryId);
    if (docs === undefined) {
      missingFromRun.push(queryId);
      if (!options.averageOverQrels) continue;
    }
    const ranked = docs === undefined ? [] : ties === 'trec_eval' ? trecRanking(docs) : stableByScore(docs);
    const rankedGrades = ranked.map((d) => grades.get(d.id));
    perQuery.set(
      queryId,
      scoreQuery(rankedGrades, judgmentsOf(grades, relevanceLevel), measures, relevanceLevel),
    );
  }

  const names = measures.map(measureName);
  const aggregate: Record<string, number> = {};
  for (const name of names) {
    let sum = 0;
    for (const scores of perQuery.values()) sum += scores[name]!;
    aggregate[name] = perQuery.size > 0 ? sum / perQuery.size : 0;
  }
  return {
    measures: names,
    aggregate,
    perQuery: Object.fromEntries(perQuery),
    evaluatedQueries: perQuery.size,
    missingFromRun,
    notInQrels,
    relevanceLevel,
    averageOverQrels: options.averageOverQrels ?? false,
  };
}

function stableByScore(docs: readonly RankedDocument[]): RankedDocument[] {
  return [...docs].sort((a, b) => b.score - a.score);
}
