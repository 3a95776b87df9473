import { RepetitionPenaltyLogitsProcessor, Tensor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import {
  applyRepetitionPenalty,
  argmax,
  candidateDistribution,
  createSeededRandom,
  createTokenSampler,
  drawInTokenOrder,
  type SamplingParams,
} from '../src/index.js';

const params = (overrides: Partial<SamplingParams>): SamplingParams => ({
  temperature: 1,
  topK: 0,
  topP: 1,
  minP: 0,
  repetitionPenalty: 1,
  seed: 1,
  ...overrides,
});

/** Logits whose softmax is exactly `probs`. */
const logitsFor = (probs: number[]) => Float32Array.from(probs, (p) => Math.log(p));

const softmax = (values: number[]) => {
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
};

function randomLogits(seed: number, n: number): Float32Array {
  const random = createSeededRandom(seed);
  return Float32Array.from({ length: n }, () => (random() - 0.5) * 10);
}

describe('seeded random', () => {
  it('repeats for a seed, differs across seeds, and is uniform on [0, 1)', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const c = createSeededRandom(43);
    const xs = Array.from({ length: 20000 }, () => a());
    expect(Array.from({ length: 20000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 10 }, () => c())).not.toEqual(xs.slice(0, 10));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const deciles = new Array(10).fill(0);
    for (const x of xs) deciles[Math.floor(x * 10)]++;
    for (const count of deciles) expect(Math.abs(count - 2000)).toBeLessThan(200);
    // Seeds past 2^32 still differ.
    expect(createSeededRandom(1)()).not.toBe(createSeededRandom(2 ** 32 + 1)());
  });
});

describe('logits processing', () => {
  it('argmax returns the first index on ties', () => {
    expect(argmax(Float32Array.of(1, 3, 3, 2))).toBe(1);
    expect(argmax(Float32Array.of(-5, -1, -1))).toBe(1);
  });

  it('repetition penalty equals transformers.js RepetitionPenaltyLogitsProcessor', () => {
    const vocab = 64;
    const history = [3, 7, 7, 12, 40, 3, 63, 0];
    for (const penalty of [1.3, 0.8]) {
      const ours = randomLogits(5, vocab);
      const theirs = new Tensor('float32', ours.slice(), [1, vocab]);
      applyRepetitionPenalty(ours, new Set(history), penalty);
      new RepetitionPenaltyLogitsProcessor(penalty)([history.map(BigInt)], theirs);
      expect(Array.from(ours)).toEqual(Array.from(theirs.data as Float32Array));
      const untouched = randomLogits(5, vocab);
      expect(ours[1]).toBe(untouched[1]);
      expect(ours[3]).not.toBe(untouched[3]);
    }
  });

  it('temperature rescales the distribution', () => {
    const logits = Float32Array.of(2, 1, 0.5, -1);
    for (const temperature of [0.5, 1, 2]) {
      const { ids, probs, count } = candidateDistribution(logits, params({ temperature }));
      expect(count).toBe(4);
      const expected = softmax([2, 1, 0.5, -1].map((v) => v / temperature));
      for (let j = 0; j < count; j++) expect(probs[j]).toBeCloseTo(expected[ids[j] as number] as number, 6);
    }
  });

  it('top-k keeps the k most likely tokens, renormalised', () => {
    const logits = Float32Array.of(0.1, 3, -2, 2.5, 1, 2.9);
    const { ids, probs, count } = candidateDistribution(logits, params({ topK: 3 }));
    expect(Array.from(ids.subarray(0, count))).toEqual([1, 5, 3]);
    const expected = softmax([3, 2.9, 2.5]);
    for (let j = 0; j < 3; j++) expect(probs[j]).toBeCloseTo(expected[j] as number, 6);
  });

  it('top-p keeps the smallest set reaching p; min-p drops tokens below minP × top probability', () => {
    const logits = logitsFor([0.05, 0.5, 0.15, 0.3]);
    const keep = (overrides: Partial<SamplingParams>) => {
      const d = candidateDistribution(logits, params(overrides));
      return Array.from(d.ids.subarray(0, d.count));
    };
    expect(keep({ topP: 0.5 })).toEqual([1]);
    expect(keep({ topP: 0.79 })).toEqual([1, 3]);
    expect(keep({ topP: 0.81 })).toEqual([1, 3, 2]);
    expect(keep({ topP: 0.99 })).toEqual([1, 3, 2, 0]);
    expect(keep({ minP: 0.2 })).toEqual([1, 3, 2]); // 0.15 ≥ 0.1, 0.05 < 0.1
    expect(keep({ minP: 0.7 })).toEqual([1]);
    expect(keep({ topK: 2, topP: 0.99 })).toEqual([1, 3]);
    const d = candidateDistribution(logits, params({ topP: 0.81 }));
    expect((d.probs[0] as number) + (d.probs[1] as number) + (d.probs[2] as number)).toBeCloseTo(1, 9);
    expect(d.probs[0]).toBeCloseTo(0.5 / 0.95, 6);
  });

  it('samples tokens with the frequencies of the distribution', () => {
    const probs = [0.05, 0.5, 0.15, 0.3];
    const sampler = createTokenSampler(params({ seed: 9 }), 4, createSeededRandom(9));
    const counts = [0, 0, 0, 0];
    const n = 40000;
    for (let i = 0; i < n; i++) {
      const token = sampler.sample(logitsFor(probs));
      counts[token] = (counts[token] ?? 0) + 1;
    }
    for (const [token, count] of counts.entries()) {
      expect(Math.abs(count / n - (probs[token] as number))).toBeLessThan(0.01);
    }
  });

  it('draws the same tokens when nearly tied logits swap order through rounding', () => {
    // 200 tokens tied to 1e-6 (like untrained byte tokens) among spread-out ones, then jittered by 2e-6, as a
    // different CPU kernel would round them: the order of the tied ones changes, the draws must not.
    const noise = createSeededRandom(4);
    const logits = Float32Array.from({ length: 300 }, (_, i) =>
      i < 200 ? -13.7221 + noise() * 1e-6 : (noise() - 0.5) * 10,
    );
    const jittered = logits.map((v) => v + (noise() - 0.5) * 4e-6);
    const order = (l: Float32Array) => Array.from(candidateDistribution(l, params({ temperature: 300 })).ids);
    expect(order(jittered)).not.toEqual(order(logits));
    const draws = (l: Float32Array) => {
      const sampler = createTokenSampler(params({ temperature: 300 }), 300, createSeededRandom(8));
      return Array.from({ length: 500 }, () => sampler.sample(l.slice()));
    };
    expect(draws(jittered)).toEqual(draws(logits));
  });

  it('draws over token ids in id order, with each token owning its share of [0, 1)', () => {
    const ids = Int32Array.of(2, 0, 1);
    const probs = Float64Array.of(0.5, 0.3, 0.2);
    const byToken = new Float64Array(3);
    // id order: 0 → [0, 0.3), 1 → [0.3, 0.5), 2 → [0.5, 1)
    const draw = (r: number) => drawInTokenOrder(ids.slice(), probs, 3, r, byToken);
    expect([0, 0.29, 0.3, 0.49, 0.5, 0.99, 1].map(draw)).toEqual([0, 0, 1, 1, 2, 2, 2]);
  });

  it('greedy ignores the seed; top-k 1 is greedy; the same seed samples the same tokens', () => {
    const logits = () => randomLogits(11, 100);
    const greedy = createTokenSampler(params({ temperature: 0 }), 100, createSeededRandom(1));
    expect(greedy.sample(logits())).toBe(argmax(logits()));
    const topOne = createTokenSampler(params({ topK: 1 }), 100, createSeededRandom(3));
    for (let i = 0; i < 20; i++) expect(topOne.sample(logits())).toBe(argmax(logits()));
    const run = (seed: number) => {
      const sampler = createTokenSampler(params({ temperature: 1.5 }), 100, createSeededRandom(seed));
      return Array.from({ length: 50 }, () => sampler.sample(logits()));
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('the sampler penalises tokens it has seen, including its own output', () => {
    const flat = () => Float32Array.of(2, 2, 1.9, 1);
    const sampler = createTokenSampler(
      params({ temperature: 0, repetitionPenalty: 2 }),
      4,
      createSeededRandom(1),
    );
    sampler.observe([0]);
    expect(sampler.sample(flat())).toBe(1); // 0 is penalised to 1
    expect(sampler.sample(flat())).toBe(2); // now 1 is too
  });
});
