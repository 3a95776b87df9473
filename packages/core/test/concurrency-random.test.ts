import { describe, expect, it } from 'vitest';
import { isRagloomError, mapWithConcurrency, seededRandom, seededRandomStep } from '../src/index.js';

describe('mapWithConcurrency', () => {
  it('runs at most `concurrency` items at once and keeps input order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (x) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, x * 3));
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('stops starting work after the first failure, and rethrows it once running work settles', async () => {
    const started: number[] = [];
    let settled = 0;
    const error = await mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (x) => {
      started.push(x);
      await new Promise((r) => setTimeout(r, 5));
      settled++;
      if (x === 1) throw new Error('boom');
      return x;
    }).catch((e: Error) => e);
    expect((error as Error).message).toBe('boom');
    expect(started.length).toBeLessThan(6);
    expect(settled).toBe(started.length);
  });

  it('rejects ABORTED when the signal fires, and a bad concurrency as INVALID_ARGUMENT', async () => {
    const controller = new AbortController();
    const error = await mapWithConcurrency(
      [1, 2, 3, 4],
      1,
      async (x) => {
        if (x === 2) controller.abort();
        return x;
      },
      controller.signal,
    ).catch((e: unknown) => e);
    expect(isRagloomError(error, 'ABORTED')).toBe(true);
    await expect(mapWithConcurrency([1], 0, async (x) => x)).rejects.toSatisfy((e) =>
      isRagloomError(e, 'INVALID_ARGUMENT'),
    );
  });
});

describe('seededRandom', () => {
  it('is mulberry32: the same sequence for the same seed, uniform in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    // Reference value of mulberry32(42)'s first output, as in the widely used JS implementation.
    expect(seededRandom(42)()).toBeCloseTo(0.6011037519201636, 15);
  });

  it('seededRandomStep is the same stream, resumable from a stored int32 state', () => {
    const stream = seededRandom(-7);
    let state = -7;
    for (let i = 0; i < 1000; i++) {
      const step = seededRandomStep(state);
      expect(step.value).toBe(stream());
      expect(step.state).toBe(step.state | 0); // fits an int32 field
      state = Int32Array.of(step.state)[0]!; // as an index file stores and reloads it
    }
    expect(seededRandomStep(42).value).toBeCloseTo(0.6011037519201636, 15);
  });
});
