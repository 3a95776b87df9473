import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Metric, similarity } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { createJsCodeKernel } from '../src/js-code-kernel.js';
import { createJsVectorKernel } from '../src/js-vector-kernel.js';
import { trainQuantizer } from '../src/quantizer.js';
import type { VectorKernel } from '../src/vector-kernel.js';
import { createWasmCodeKernel } from '../src/wasm-code-kernel.js';
import { createWasmVectorKernel } from '../src/wasm-vector-kernel.js';
import { gaussian, seededRandom } from './helpers.js';

const metrics: Metric[] = ['cosine', 'dot', 'l2'];

function fill(kernel: VectorKernel, vectors: Float32Array[]) {
  kernel.ensureCapacity(vectors.length);
  vectors.forEach((v, slot) => {
    kernel.set(slot, v);
  });
}

/** The distance a kernel should report for a core similarity (smaller is closer). */
const distanceOf = (metric: Metric, score: number) => (metric === 'cosine' ? 1 - score : -score);

describe('distance kernels', () => {
  it('the generated wasm module is the assembled .wat (regenerate with pnpm generate:wasm)', async () => {
    const root = join(import.meta.dirname, '..');
    // @ts-expect-error: plain .mjs script without types
    const { assembleKernels, renderModule } = await import('../scripts/generate-wasm.mjs');
    const rendered = renderModule(await assembleKernels());
    expect(readFileSync(join(root, 'src', 'wasm', 'distance-kernels-wasm.ts'), 'utf8')).toBe(rendered);
  });

  for (const metric of metrics) {
    for (const dimension of [1, 3, 16, 17, 100, 384]) {
      it(`${metric}, dimension ${dimension}: wasm and JS agree with core, exact scores bit-identical`, () => {
        const normal = gaussian(seededRandom(dimension * 7 + metric.length));
        const vectors = Array.from({ length: 41 }, (_, i) =>
          // slot 0 is a zero vector: cosine with it is 0 by core's convention
          Float32Array.from({ length: dimension }, () => (i === 0 ? 0 : normal())),
        );
        const query = Float32Array.from({ length: dimension }, normal);
        const wasm = createWasmVectorKernel(dimension, metric, 4);
        expect(wasm, 'Node 20 has WebAssembly SIMD').not.toBeNull();
        for (const kernel of [wasm!, createJsVectorKernel(dimension, metric, 4)]) {
          fill(kernel, vectors);
          kernel.setQuery(query);
          const slots = vectors.map((_, i) => (i * 13) % vectors.length);
          slots.forEach((slot, i) => {
            kernel.batch.slots[i] = slot;
          });
          kernel.distances(slots.length);
          slots.forEach((slot, i) => {
            const score = similarity(metric, query, vectors[slot]!);
            // Bit-identical: the same float64 operations in the same order as core.
            expect(kernel.exactScore(slot), `${kernel.name} exactScore(${slot})`).toBe(score);
            const tolerance = 1e-5 * Math.max(1, Math.abs(score));
            expect(Math.abs(kernel.batch.distances[i]! - distanceOf(metric, score))).toBeLessThan(tolerance);
            expect(Math.abs(kernel.distance(slot) - distanceOf(metric, score))).toBeLessThan(tolerance);
          });
          // Batched exact scores (four interleaved sums in wasm): still bit-identical.
          kernel.exactScores(slots.length);
          slots.forEach((slot, i) => {
            expect(kernel.batch.scores[i], `${kernel.name} exactScores[${i}]`).toBe(
              similarity(metric, query, vectors[slot]!),
            );
          });
          const pair = similarity(metric, vectors[5]!, vectors[9]!);
          expect(Math.abs(kernel.pairDistance(5, 9) - distanceOf(metric, pair))).toBeLessThan(
            1e-5 * Math.max(1, Math.abs(pair)),
          );
        }
      });
    }
  }

  it('keeps vectors across growth, moves and export/import', () => {
    for (const kernel of [createWasmVectorKernel(5, 'l2', 1)!, createJsVectorKernel(5, 'l2', 1)]) {
      const vectors = Array.from({ length: 100 }, (_, i) => Float32Array.from([i, -i, i / 2, 1, 0]));
      // The batch object a caller took before growth stays the kernel's batch, with live buffers
      // (a wasm kernel's memory moves as it grows and its old views are detached).
      const batch = kernel.batch;
      vectors.forEach((v, slot) => {
        kernel.ensureCapacity(slot + 1);
        kernel.set(slot, v);
      });
      expect(kernel.batch).toBe(batch);
      kernel.setQuery(vectors[10]!);
      [99, 10, 3].forEach((slot, i) => {
        batch.slots[i] = slot;
      });
      kernel.distances(3);
      [89, 0, 7].forEach((steps, i) => {
        // v_i − v_10 = (i − 10)·(1, −1, ½, 0, 0): a squared distance of 2.25·(i − 10)².
        expect(batch.distances[i]).toBeCloseTo(2.25 * steps * steps, 6);
      });
      expect(Array.from(kernel.get(73))).toEqual(Array.from(vectors[73]!));
      kernel.move(73, 2);
      expect(Array.from(kernel.get(2))).toEqual(Array.from(vectors[73]!));
      const bytes = new Uint8Array(kernel.exportVectors(100).flatMap((c) => Array.from(c)));
      const copy =
        kernel.name === 'js' ? createJsVectorKernel(5, 'l2', 1) : createWasmVectorKernel(5, 'l2', 1)!;
      expect(copy.importVectors(bytes, 0, 100)).toBe(-1);
      for (const slot of [0, 2, 50, 99])
        expect(Array.from(copy.get(slot))).toEqual(Array.from(kernel.get(slot)));
      const broken = new Float32Array(bytes.buffer.slice(0));
      broken[7 * 5 + 3] = Number.NaN;
      expect(copy.importVectors(new Uint8Array(broken.buffer), 0, 100), 'the first non-finite vector').toBe(
        7,
      );
    }
  });
});

describe('code kernels (quantized walks)', () => {
  for (const kind of ['int8', 'binary'] as const) {
    for (const metric of metrics) {
      for (const dimension of [3, 16, 100, 384]) {
        it(`${kind}, ${metric}, dimension ${dimension}: the pure-JS kernel matches the wasm kernel`, () => {
          const normal = gaussian(seededRandom(dimension * 11 + metric.length));
          const vectors = Array.from({ length: 60 }, () => Float32Array.from({ length: dimension }, normal));
          const quantizer = trainQuantizer(kind, dimension, vectors.length, (i) => vectors[i]!);
          const wasm = createWasmCodeKernel(quantizer, dimension, metric, 8)!;
          const js = createJsCodeKernel(quantizer, dimension, metric, 8);
          const query = Float32Array.from({ length: dimension }, normal);
          const results = [wasm, js].map((kernel) => {
            kernel.ensureCapacity(vectors.length);
            vectors.forEach((v, slot) => {
              const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
              kernel.setVector(slot, v, n === 0 ? 0 : 1 / n);
            });
            kernel.setQuery(query);
            vectors.forEach((_, i) => {
              kernel.batch.slots[i] = i;
            });
            kernel.distances(vectors.length);
            const batch = Array.from(kernel.batch.distances.subarray(0, vectors.length));
            const single = vectors.map((_, i) => kernel.distance(i));
            kernel.setQueryFromSlot(4);
            const fromSlot = vectors.map((_, i) => kernel.distance(i));
            const pairs = vectors.map((_, i) => kernel.pairDistance(4, i));
            return { batch, single, fromSlot, pairs };
          });
          const [w, j] = results as [(typeof results)[0], (typeof results)[0]];
          for (const key of ['batch', 'single', 'fromSlot', 'pairs'] as const) {
            w[key].forEach((d, i) => {
              const other = j[key][i]!;
              // Identical: integer sums (int8: int16 weights · u8 codes; binary: Hamming), then
              // the same float32 steps in both kernels.
              expect(d, `${key}[${i}]`).toBe(other);
            });
          }
          // The walk on codes approximates the float distances it stands for.
          if (kind === 'int8') {
            const exact = vectors.map((v) => distanceOf(metric, similarity(metric, query, v)));
            const spread = Math.max(...exact) - Math.min(...exact);
            w.batch.forEach((d, i) => {
              expect(Math.abs(d - exact[i]!)).toBeLessThan(0.05 * spread + 1e-6);
            });
          }
          // Codes survive a move and an export/import round trip.
          wasm.move(7, 0);
          const exported = new Uint8Array(wasm.exportCodes(vectors.length).flatMap((c) => Array.from(c)));
          const copy = createWasmCodeKernel(quantizer, dimension, metric, 1)!;
          copy.importCodes(exported, 0, vectors.length, (slot) => {
            const v = vectors[slot === 0 ? 7 : slot]!;
            return 1 / Math.sqrt(v.reduce((s, x) => s + x * x, 0));
          });
          copy.setQuery(query);
          wasm.setQuery(query);
          for (const slot of [0, 1, 30, 59]) {
            expect(Math.abs(copy.distance(slot) - wasm.distance(slot))).toBeLessThan(
              1e-6 * Math.max(1, Math.abs(wasm.distance(slot))),
            );
          }
        });
      }
    }
  }
});
