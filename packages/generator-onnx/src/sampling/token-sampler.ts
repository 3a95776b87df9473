import type { SamplingParams } from './sampling-params.js';
import type { RandomSource } from './seeded-random.js';

/**
 * Chooses tokens from logits. It remembers every token it has seen (prompt and output) for the repetition penalty,
 * and keeps scratch buffers across steps so a step allocates nothing.
 */
export interface TokenSampler {
  /** Record tokens for the repetition penalty (the prompt before the first step; chosen tokens are recorded by `sample`). */
  observe(tokens: Iterable<number>): void;
  /** Picks the next token. `logits` may be modified in place. */
  sample(logits: Float32Array): number;
}

/**
 * Tokens whose scaled logit is this far below the best have probability < e^-40 ≈ 4e-18 relative to it. Leaving
 * them out before sorting makes a step O(V + n log n) for the few n that matter instead of O(V log V); the
 * probability mass dropped is below V × 4e-18, far under float32 resolution.
 */
const NEGLIGIBLE_LOGIT_GAP = 40;

/** Index of the largest value; the first one on ties (as numpy, torch and transformers.js do). */
export function argmax(values: Float32Array): number {
  let best = 0;
  let bestValue = values[0] ?? Number.NEGATIVE_INFINITY;
  for (let i = 1; i < values.length; i++) {
    const v = values[i] as number;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** HF's RepetitionPenaltyLogitsProcessor: each distinct seen token once. */
export function applyRepetitionPenalty(logits: Float32Array, seen: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const token of seen) {
    const v = logits[token];
    if (v === undefined) continue;
    logits[token] = v < 0 ? v * penalty : v / penalty;
  }
}

/**
 * The candidate tokens after temperature, top-k, top-p and min-p (HF's warper order), as token ids and their
 * renormalised probabilities, most likely first. Exported for tests; `sample` draws from it.
 */
export function candidateDistribution(
  logits: Float32Array,
  params: Pick<SamplingParams, 'temperature' | 'topK' | 'topP' | 'minP'>,
  scratch?: { ids: Int32Array; probs: Float64Array },
): { ids: Int32Array; probs: Float64Array; count: number } {
  const vocab = logits.length;
  const ids = scratch?.ids ?? new Int32Array(vocab);
  const probs = scratch?.probs ?? new Float64Array(vocab);
  const invT = 1 / params.temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < vocab; i++) {
    const v = logits[i] as number;
    if (v > max) max = v;
  }
  // Gather candidates within the negligible gap (in scaled units).
  const floor = max - NEGLIGIBLE_LOGIT_GAP * params.temperature;
  let count = 0;
  for (let i = 0; i < vocab; i++) if ((logits[i] as number) >= floor) ids[count++] = i;
  const view = ids.subarray(0, count);
  // Most likely first (for the top-k / top-p / min-p cuts); ties by token id.
  view.sort((a, b) => (logits[b] as number) - (logits[a] as number) || a - b);
  if (params.topK > 0 && params.topK < count) count = params.topK;
  let total = 0;
  for (let j = 0; j < count; j++) {
    const p = Math.exp(((logits[ids[j] as number] as number) - max) * invT);
    probs[j] = p;
    total += p;
  }
  for (let j = 0; j < count; j++) probs[j] = (probs[j] as number) / total;
  if (params.topP < 1) {
    // Keep the smallest prefix whose mass reaches topP (at least one token).
    let cumulative = 0;
    let keep = count;
    for (let j = 0; j < count; j++) {
      cumulative += probs[j] as number;
      if (cumulative >= params.topP) {
        keep = j + 1;
        break;
      }
    }
    count = keep;
  }
  if (params.minP > 0) {
    const threshold = params.minP * (probs[0] as number);
    let keep = 1;
    while (keep < count && (probs[keep] as number) >= threshold) keep++;
    count = keep;
  }
  let kept = 0;
  for (let j = 0; j < count; j++) kept += probs[j] as number;
  for (let j = 0; j < count; j++) probs[j] = (probs[j] as number) / kept;
  return { ids, probs, count };
}

/**
 * Draws one token from the candidates by inverse CDF over **token id order** (as torch.multinomial does over the
 * vocabulary), not over the likelihood order the cuts need. In likelihood order, which token a given `r` lands on
 * depends on the order of nearly tied logits — and that order flips with float rounding, which differs between
 * CPUs (AVX2 vs AVX-512 kernels), graph optimisation levels and thread counts. Untrained tokens (stories260k's
 * byte tokens) are tied to 1e-6, so at a high temperature the same seed sampled different text on different
 * machines. In id order a rounding change only moves the interval boundaries by a rounding error, so the drawn
 * token changes only when `r` falls within that error of a boundary.
 *
 * `ids`' first `count` entries are reordered in place; `byToken` is scratch of vocabulary size.
 */
export function drawInTokenOrder(
  ids: Int32Array,
  probs: Float64Array,
  count: number,
  r: number,
  byToken: Float64Array,
): number {
  for (let j = 0; j < count; j++) byToken[ids[j] as number] = probs[j] as number;
  const order = ids.subarray(0, count).sort();
  let cumulative = 0;
  for (let j = 0; j < count; j++) {
    const token = order[j] as number;
    cumulative += byToken[token] as number;
    if (r < cumulative) return token;
  }
  // r ≥ the total only through rounding: the last candidate.
  return order[count - 1] as number;
}

export function createTokenSampler(
  params: SamplingParams,
  vocabSize: number,
  random: RandomSource,
): TokenSampler {
  const seenFlags = new Uint8Array(vocabSize);
  const seen: number[] = [];
  const greedy = params.temperature === 0;
  const scratch = greedy ? undefined : { ids: new Int32Array(vocabSize), probs: new Float64Array(vocabSize) };
  const byToken = greedy ? undefined : new Float64Array(vocabSize);
  const penalise = params.repetitionPenalty !== 1;
  const observe = (token: number) => {
    if (penalise && token >= 0 && token < vocabSize && seenFlags[token] === 0) {
      seenFlags[token] = 1;
      seen.push(token);
    }
  };
  return {
    observe(tokens) {
      for (const token of tokens) observe(token);
    },
    sample(logits) {
      if (penalise) applyRepetitionPenalty(logits, seen, params.repetitionPenalty);
      let token: number;
      if (greedy || !scratch || !byToken) token = argmax(logits);
      else {
        const { ids, probs, count } = candidateDistribution(logits, params, scratch);
        token = drawInTokenOrder(ids, probs, count, random(), byToken);
      }
      observe(token);
      return token;
    },
  };
}
