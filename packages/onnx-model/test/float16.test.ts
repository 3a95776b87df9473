import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetPath, rejectionOf } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import {
  float16Bits,
  float16Tensor,
  float16ToFloat32,
  InferenceSession,
  outputAsInput,
  Tensor,
  tensorToFloat32,
} from '../src/index.js';
import { bareMeanPooledEmbeddings } from '../src/testing/index.js';

const layout = (name: string) => assetPath('model-layouts', name);
const NativeFloat16Array = (globalThis as { Float16Array?: new (buffer: ArrayBuffer) => ArrayLike<number> })
  .Float16Array;

/** An independent half → float: build the float32 bit pattern and read it back through a DataView. */
function halfByBits(h: number): number {
  const view = new DataView(new ArrayBuffer(4));
  const sign = (h & 0x8000) << 16;
  let exponent = (h >> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  if (exponent === 0x1f) view.setUint32(0, sign | 0x7f800000 | (mantissa << 13));
  else if (exponent === 0 && mantissa === 0) view.setUint32(0, sign);
  else {
    if (exponent === 0) {
      exponent = 1;
      while ((mantissa & 0x400) === 0) {
        mantissa <<= 1;
        exponent--;
      }
      mantissa &= 0x3ff;
    }
    view.setUint32(0, (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0);
  }
  return view.getFloat32(0);
}

const allHalves = Uint16Array.from({ length: 0x10000 }, (_, i) => i);

/** The half bit patterns whose converted value is not `expected(h)` (NaN matches NaN, -0 does not match 0). */
function mismatches(converted: Float32Array, expected: (h: number) => number): string[] {
  const wrong: string[] = [];
  for (let h = 0; h < 0x10000; h++) {
    const want = expected(h);
    const ok = Number.isNaN(want) ? Number.isNaN(converted[h]) : Object.is(converted[h], want);
    if (!ok) wrong.push(`0x${h.toString(16)}: ${converted[h]} ≠ ${want}`);
  }
  return wrong;
}

describe('float16 → float32', () => {
  it('converts all 65,536 half values exactly (against an independent bit-level conversion)', () => {
    const converted = float16ToFloat32(allHalves);
    expect(mismatches(converted, halfByBits)).toEqual([]);
    expect(
      Array.from(float16ToFloat32(Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000))),
    ).toEqual([1, -2, 65504, 2 ** -24, Number.POSITIVE_INFINITY, -0]);
  });

  it.runIf(NativeFloat16Array !== undefined)('agrees with Node’s own Float16Array (Node ≥ 24)', () => {
    const native = new NativeFloat16Array!(allHalves.slice().buffer);
    expect(mismatches(float16ToFloat32(allHalves), (h) => native[h]!)).toEqual([]);
    expect(float16Bits(native)).toEqual(allHalves);
  });

  it('reads the bits of Uint16Array data as they are, and refuses other arrays and element types', async () => {
    const bits = Uint16Array.of(0x3c00);
    expect(float16Bits(bits)).toBe(bits);
    expect(() => float16Bits(new Float32Array(1))).toThrowError(/Uint16Array or Float16Array/);
    const int64 = new Tensor('int64', BigInt64Array.of(1n), [1]);
    const error = await rejectionOf((async () => tensorToFloat32(int64, 'input_ids of m.onnx'))());
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toBe('input_ids of m.onnx is int64; expected float32 or float16');
    const f32 = new Tensor('float32', Float32Array.of(1.5), [1]);
    expect(tensorToFloat32(f32, 'x')).toBe(f32.data); // float32 data is used as it is, no copy
  });
});

describe('float16 tensors through onnxruntime-node, on this Node version', () => {
  it('a float16 last_hidden_state becomes the right float32 values (the fp16 encoder layout)', async () => {
    const reference = JSON.parse(
      readFileSync(join(layout('tiny-random-bert-fp16'), 'reference.json'), 'utf8'),
    );
    const run = reference.onnxruntime_node.cases[0];
    const model = join(layout('tiny-random-bert-fp16'), 'onnx/model_fp16.onnx');
    const session = await InferenceSession.create(model);
    expect(session.outputMetadata).toMatchObject([{ name: 'last_hidden_state', type: 'float16' }]);
    await session.release();
    const embeddings = await bareMeanPooledEmbeddings(model, run.input_ids);
    embeddings.forEach((vector, b) => {
      vector.forEach((x, d) => {
        expect(x).toBeCloseTo(run.embeddings[b][d], 5);
      });
    });
  });

  it('float16 presents feed back as the next past (an fp16 KV cache), and the next token is right', async () => {
    const dir = layout('stories260k-fp16');
    const expected: number[] = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')).onnxruntime_node
      .new_token_ids;
    const session = await InferenceSession.create(join(dir, 'onnx/model_fp16.onnx'));
    const int64 = (values: number[]) =>
      new Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);
    const feeds: Record<string, Tensor> = {};
    for (const name of session.inputNames) {
      if (name.startsWith('past_key_values')) feeds[name] = float16Tensor(new Uint16Array(0), [1, 4, 0, 8]);
    }
    const argmax = (logits: Float32Array) => logits.indexOf(Math.max(...logits));
    let ids = [1];
    const tokens: number[] = [];
    for (let step = 0; step < 4; step++) {
      const total = tokens.length + 1;
      const out = await session.run({
        ...feeds,
        input_ids: int64(ids),
        attention_mask: int64(Array(total).fill(1)),
        position_ids: int64([total - 1]),
      });
      for (const name of session.outputNames.filter((n) => n.startsWith('present'))) {
        feeds[name.replace('present', 'past_key_values')] = outputAsInput(out[name] as Tensor);
      }
      tokens.push(argmax(tensorToFloat32(out.logits as Tensor, 'logits')));
      ids = [tokens.at(-1)!];
    }
    expect(tokens).toEqual(expected.slice(0, 4));
    await session.release();
  });
});
