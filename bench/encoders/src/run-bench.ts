/**
 * Texts/second embedding SciFact abstracts with bow-bert-128, three ways, in one run, same model file, same
 * onnxruntime thread count:
 *   - ragloom:          @ragloom/encoder-onnx (one embed call; it sorts by length and batches by token budget)
 *   - transformers.js:  pipeline('feature-extraction', { pooling: 'mean', normalize: true }) on batches of 64
 *   - bare ORT loop:    @huggingface/tokenizers + onnxruntime-node + mean pooling written inline, with the same
 *                       length-sorted batches as ragloom: the floor any wrapper could reach (framework overhead)
 * The machine is shared and its load swings within seconds, so the texts are cut into chunks and every chunk is
 * embedded by all three back to back (in rotating order) before the next: each contender sees the same conditions.
 * Ratios are reported two ways: total time over all chunks and rounds, and the median of the per-chunk paired
 * ratios (robust to load that changes between chunks).
 *
 *   node dist/run-bench.js [--quick] [--texts N] [--threads N] [--rounds N] [--chunk N]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { env, pipeline } from '@huggingface/transformers';
import { benchArgs, median } from '@ragloom/bench-utils';
import { createOnnxEncoder } from '@ragloom/encoder-onnx';
import { assetPath, assetsDir } from '@ragloom/test-utils';
import * as ort from 'onnxruntime-node';

const { flag, number: numberArg } = benchArgs();
const quick = flag('quick');
const textCount = numberArg('texts', quick ? 200 : 2000);
const threads = numberArg('threads', 2);
const rounds = numberArg('rounds', quick ? 1 : 3);
const chunkSize = numberArg('chunk', quick ? 100 : 250);
const BATCH = 64;
const MAX_BATCH_TOKENS = 16_384;
const MAX_LENGTH = 512;

const modelDir = assetPath('models', 'bow-bert-128');
const texts = readFileSync(assetPath('data', 'scifact', 'corpus.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim().length > 0)
  .slice(0, textCount)
  .map((line) => (JSON.parse(line) as { text: string }).text);

type Embedder = (texts: string[]) => Promise<Float32Array[]>;

async function makeRagloom(): Promise<{ run: Embedder; close: () => Promise<void> }> {
  const encoder = await createOnnxEncoder({
    model: modelDir,
    intraOpNumThreads: threads,
    maxBatchSize: BATCH,
    maxBatchTokens: MAX_BATCH_TOKENS,
  });
  return {
    run: async (t) => (await encoder.embed({ texts: t, inputType: 'document' })).embeddings,
    close: () => encoder.close(),
  };
}

async function makeTransformersJs(): Promise<{ run: Embedder; close: () => Promise<void> }> {
  env.allowRemoteModels = false;
  env.localModelPath = join(assetsDir(), 'models') + '/';
  const extractor = await pipeline('feature-extraction', 'bow-bert-128', {
    dtype: 'fp32',
    session_options: { intraOpNumThreads: threads },
  });
  return {
    run: async (t) => {
      const out: Float32Array[] = [];
      for (let i = 0; i < t.length; i += BATCH) {
        const result = await extractor(t.slice(i, i + BATCH), { pooling: 'mean', normalize: true });
        const dim = result.dims[1]!;
        const data = result.data as Float32Array;
        for (let r = 0; r < result.dims[0]!; r++) out.push(data.slice(r * dim, (r + 1) * dim));
      }
      return out;
    },
    close: () => extractor.dispose(),
  };
}

async function makeBareLoop(): Promise<{ run: Embedder; close: () => Promise<void> }> {
  const tokenizer = new Tokenizer(
    JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')),
    JSON.parse(readFileSync(join(modelDir, 'tokenizer_config.json'), 'utf8')),
  );
  const session = await ort.InferenceSession.create(join(modelDir, 'onnx', 'model.onnx'), {
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'all',
  });
  // Written as a careful user would: scratch arrays allocated once, plain loops, float64 sums.
  const capacity = Math.max(MAX_BATCH_TOKENS, MAX_LENGTH);
  const idsBuffer = new BigInt64Array(capacity);
  const maskBuffer = new BigInt64Array(capacity);
  const typesBuffer = new BigInt64Array(capacity);
  return {
    run: async (t) => {
      const encoded = t.map((text) => {
        const ids = tokenizer.encode(text).ids;
        return ids.length > MAX_LENGTH ? [...ids.slice(0, MAX_LENGTH - 1), ids.at(-1)!] : ids;
      });
      const order = encoded.map((_, i) => i).sort((a, b) => encoded[b]!.length - encoded[a]!.length || a - b);
      const out: Float32Array[] = new Array(t.length);
      let start = 0;
      while (start < order.length) {
        const width = encoded[order[start]!]!.length;
        const rows = Math.max(1, Math.min(BATCH, Math.floor(MAX_BATCH_TOKENS / width), order.length - start));
        const size = rows * width;
        const ids = idsBuffer.subarray(0, size).fill(0n);
        const mask = maskBuffer.subarray(0, size).fill(0n);
        for (let r = 0; r < rows; r++) {
          const row = encoded[order[start + r]!]!;
          for (let k = 0; k < row.length; k++) {
            ids[r * width + k] = BigInt(row[k]!);
            mask[r * width + k] = 1n;
          }
        }
        const dims = [rows, width];
        const result = await session.run(
          {
            input_ids: new ort.Tensor('int64', ids, dims),
            attention_mask: new ort.Tensor('int64', mask, dims),
            token_type_ids: new ort.Tensor('int64', typesBuffer.subarray(0, size), dims),
          },
          ['last_hidden_state'],
        );
        const hidden = result.last_hidden_state!.data as Float32Array;
        const dim = result.last_hidden_state!.dims[2]!;
        const sum = new Float64Array(dim);
        for (let r = 0; r < rows; r++) {
          const index = order[start + r]!;
          const n = encoded[index]!.length;
          sum.fill(0);
          for (let k = 0; k < n; k++) {
            const base = (r * width + k) * dim;
            for (let d = 0; d < dim; d++) sum[d]! += hidden[base + d]!;
          }
          let norm = 0;
          for (let d = 0; d < dim; d++) norm += sum[d]! * sum[d]!;
          norm = Math.sqrt(norm);
          const v = new Float32Array(dim);
          for (let d = 0; d < dim; d++) v[d] = sum[d]! / norm;
          out[index] = v;
        }
        start += rows;
      }
      return out;
    },
    close: () => session.release(),
  };
}

const maxAbsDiff = (a: Float32Array[], b: Float32Array[]) => {
  let m = 0;
  a.forEach((v, i) => {
    for (let d = 0; d < v.length; d++) m = Math.max(m, Math.abs(v[d]! - b[i]![d]!));
  });
  return m;
};

async function main(): Promise<void> {
  console.log(
    `bench/encoders: ${texts.length} SciFact abstracts, bow-bert-128 (fp32), intraOpNumThreads=${threads}, ` +
      `${rounds} interleaved round(s)${quick ? ' [quick]' : ''}`,
  );
  const contenders = {
    ragloom: await makeRagloom(),
    'transformers.js': await makeTransformersJs(),
    'bare onnxruntime-node loop': await makeBareLoop(),
  };
  const names = Object.keys(contenders) as Array<keyof typeof contenders>;
  // Warm-up (JIT, onnxruntime allocations) on a small slice, and a check that all three compute the same vectors.
  const warm = texts.slice(0, Math.min(64, texts.length));
  const outputs: Record<string, Float32Array[]> = {};
  for (const name of names) await contenders[name].run(warm);
  // times[name][round * chunks + chunk] = seconds for that chunk
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const chunks: string[][] = [];
  for (let i = 0; i < texts.length; i += chunkSize) chunks.push(texts.slice(i, i + chunkSize));
  for (const name of names) outputs[name] = [];
  let turn = 0;
  for (let round = 0; round < rounds; round++) {
    for (const chunk of chunks) {
      const order = names.map((_, i) => names[(i + turn) % names.length]!);
      turn++;
      for (const name of order) {
        const start = process.hrtime.bigint();
        const vectors = await contenders[name].run(chunk);
        times[name]!.push(Number(process.hrtime.bigint() - start) / 1e9);
        if (round === 0) outputs[name]!.push(...vectors);
      }
    }
  }
  for (const name of names) await contenders[name].close();

  // transformers.js cuts over-long texts differently (see README); compare vectors on texts within the limit.
  const encoderForCount = await createOnnxEncoder({ model: modelDir, intraOpNumThreads: 1 });
  const counts = encoderForCount.countTokens(texts);
  await encoderForCount.close();
  const withinLimit = counts.map((n, i) => (n < MAX_LENGTH ? i : -1)).filter((i) => i >= 0);
  const pick = (vs: Float32Array[]) => withinLimit.map((i) => vs[i]!);

  const total = (name: string) => times[name]!.reduce((a, b) => a + b, 0);
  const paired = (a: string, b: string) => median(times[a]!.map((t, i) => t / times[b]![i]!));
  const measured = texts.length * rounds;
  console.log('');
  console.log(
    `| implementation | total s | texts/s | vs transformers.js (total) | vs transformers.js (median per chunk) | max abs diff vs ragloom, ${withinLimit.length} texts under ${MAX_LENGTH} tokens |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const name of names) {
    console.log(
      `| ${name} | ${total(name).toFixed(2)} | ${(measured / total(name)).toFixed(1)} | ${(total('transformers.js') / total(name)).toFixed(2)}x | ${paired('transformers.js', name).toFixed(2)}x | ${maxAbsDiff(pick(outputs[name]!), pick(outputs.ragloom!)).toExponential(1)} |`,
    );
  }
  const bare = 'bare onnxruntime-node loop';
  const speedups = [total('transformers.js') / total('ragloom'), paired('transformers.js', 'ragloom')];
  const overheads = [total('ragloom') / total(bare) - 1, paired('ragloom', bare) - 1];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log('');
  console.log(
    `ragloom / transformers.js: ${speedups[0]!.toFixed(2)}x total, ${speedups[1]!.toFixed(2)}x median per chunk (target >= 2x) ${Math.min(...speedups) >= 2 ? 'MET' : 'MISSED'}`,
  );
  console.log(
    `framework overhead vs bare onnxruntime-node loop: ${pct(overheads[0]!)} total, ${pct(overheads[1]!)} median per chunk (target <= 10%) ${Math.max(...overheads) <= 0.1 ? 'MET' : 'MISSED'}`,
  );
  console.log(
    `per-round totals (s): ${names
      .map((n) => {
        const per = Array.from({ length: rounds }, (_, r) =>
          times[n]!.slice(r * chunks.length, (r + 1) * chunks.length).reduce((a, b) => a + b, 0),
        );
        return `${n}=[${per.map((t) => t.toFixed(1)).join(', ')}]`;
      })
      .join('; ')}`,
  );
  console.log(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
