/**
 * Text generation speed on stories260k (the real TinyStories Llama in the shared assets), in one run, same model
 * file, same prompt, same onnxruntime thread count, greedy, the same tokens out of every implementation:
 *   text in, text out
 *   - ragloom stream:          @ragloom/generator-onnx `stream()` from a chat message: prompt, tokenizer, sampler,
 *                              streaming detokenizer, stop matcher, async iteration of text deltas
 *   - ragloom stream + lookup: the same with `promptLookup: true` (speculative decoding from n-gram drafts; same
 *                              tokens, fewer model runs when the text repeats itself, as these stories do)
 *   - transformers.js pipeline: `pipeline('text-generation')(text)` (a streamer timestamps its tokens)
 *   token ids in, token ids out
 *   - ragloom tokens:          @ragloom/generator-onnx `generateTokens()` with an `onToken` callback
 *   - transformers.js generate: `model.generate()` with a streamer
 *   - bare ORT loop:           onnxruntime-node alone: feeds, session.run, argmax, cache swap written inline
 * Every implementation prefills the prompt in one run, then decodes one token per run with the KV cache.
 * Prefill = prompt tokens / time to the first token; decode = tokens / time from the first to the last token.
 * Time inside `session.run` is measured by wrapping it, so each row's overhead beyond the model's own run time is
 * measured, not guessed. Rounds are interleaved and medians reported; a full GC runs before each timed generation
 * (node --expose-gc) so one implementation's garbage is not collected on another's clock. The machine is shared: wall-clock figures
 * move with other people's load, so the CPU time of this process is reported beside them.
 *
 *   node dist/run-bench.js [--quick] [--tokens N] [--prompt-tokens N] [--threads N] [--rounds N]
 */
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import {
  BaseStreamer,
  env,
  type PreTrainedModel,
  pipeline,
  type TextGenerationPipeline,
  Tensor as TjsTensor,
} from '@huggingface/transformers';
import { benchArgs, median } from '@ragloom/bench-utils';
import { createOnnxGenerator, type OnnxGenerator } from '@ragloom/generator-onnx';
import { InferenceSession, loadOnnxModel, Tensor } from '@ragloom/onnx-model';
import { assetPath } from '@ragloom/test-utils';

const { flag, number: numberArg } = benchArgs();
const quick = flag('quick');
const decodeTokens = numberArg('tokens', quick ? 40 : 256);
const promptTokens = numberArg('prompt-tokens', quick ? 32 : 64);
const threads = numberArg('threads', 1);
const rounds = numberArg('rounds', quick ? 2 : 9);
const modelDir = assetPath('models', 'stories260k');

// Wrap session.run once: every implementation runs through the same onnxruntime-node InferenceSession class.
let runMs = 0;
let runCpuMs = 0;
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const sessionClass = InferenceSession as unknown as { prototype: { run: InferenceSession['run'] } };
const originalRun = sessionClass.prototype.run;
sessionClass.prototype.run = async function timedRun(
  this: InferenceSession,
  ...runArgs: Parameters<InferenceSession['run']>
) {
  const started = performance.now();
  const startedCpu = cpuMs();
  try {
    return await originalRun.apply(this, runArgs);
  } finally {
    runMs += performance.now() - started;
    runCpuMs += cpuMs() - startedCpu;
  }
} as InferenceSession['run'];

/** One clock's readings over a generation, in ms: at the start, at the first and the last token, and inside session.run. */
class ClockReadings {
  first = 0;
  last = 0;
  runAtFirst = 0;
  runAtLast = 0;
  constructor(readonly start: number) {}
  /** Reads the clock (`now`) and its session.run total (`run`) at a token. */
  token(isFirst: boolean, now: number, run: number) {
    if (isFirst) {
      this.first = now;
      this.runAtFirst = run;
    }
    this.last = now;
    this.runAtLast = run;
  }
}

/**
 * Timestamps one generation on the wall clock and on this process's CPU time: when it started, when the first
 * token came out (end of prefill), when the last came out, and the time spent inside session.run at each point.
 * Decode = first → last token: steps of one run each.
 */
class Probe {
  readonly wall = new ClockReadings(performance.now());
  readonly cpu = new ClockReadings(cpuMs());
  tokens = 0;
  constructor() {
    runMs = 0;
    runCpuMs = 0;
  }
  /** Collects the previous generation's garbage first, so its GC pause does not land in this measurement. */
  static fresh(): Probe {
    (globalThis as { gc?: () => void }).gc?.();
    return new Probe();
  }
  token() {
    const isFirst = this.tokens === 0;
    this.wall.token(isFirst, performance.now(), runMs);
    this.cpu.token(isFirst, cpuMs(), runCpuMs);
    this.tokens++;
  }
}

interface Implementation {
  readonly name: string;
  /** Generates greedily; calls `probe.token()` as each token is produced; returns the token ids (or their count). */
  generate(maxNewTokens: number, probe: Probe): Promise<number[]>;
  close(): Promise<void>;
}

function ragloomStream(
  generator: OnnxGenerator,
  promptText: string,
  name = 'ragloom stream',
): Implementation {
  return {
    name,
    async generate(maxNewTokens, probe) {
      let completion = 0;
      for await (const part of generator.stream({
        messages: [{ role: 'user', content: promptText }],
        maxTokens: maxNewTokens,
        temperature: 0,
      })) {
        // Deltas come one per token here (no stop sequences, no partial characters in this text) and the finish
        // part follows the last token at once. Count arrivals, then take the exact count from usage.
        probe.token();
        if (part.type === 'finish') {
          completion = part.usage.completionTokens;
          probe.tokens = completion;
        }
      }
      return new Array<number>(completion).fill(-1);
    },
    close: async () => undefined,
  };
}

function ragloomTokens(generator: OnnxGenerator, promptIds: number[]): Implementation {
  return {
    name: 'ragloom tokens',
    generate: async (maxNewTokens, probe) =>
      (
        await generator.generateTokens({
          inputIds: promptIds,
          maxTokens: maxNewTokens,
          temperature: 0,
          onToken: () => probe.token(),
        })
      ).tokens,
    close: async () => undefined,
  };
}

/** A streamer for transformers.js: generate() calls put() with the prompt first, then once per new token. */
function probeStreamer(probe: Probe): never {
  let calls = 0;
  const streamer = Object.assign(Object.create(BaseStreamer.prototype) as BaseStreamer, {
    put: () => {
      if (calls++ > 0) probe.token();
    },
    end: () => undefined,
  });
  // A BaseStreamer is all generate() calls; the declared option type wants a TextStreamer.
  return streamer as never;
}

async function transformersJs(promptText: string, promptIds: number[]): Promise<Implementation[]> {
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(modelDir)}/`;
  const pipe = (await pipeline('text-generation', 'stories260k', {
    dtype: 'fp32',
    session_options: { intraOpNumThreads: threads },
  })) as TextGenerationPipeline;
  const model = pipe.model as PreTrainedModel;
  const inputIds = new TjsTensor('int64', BigInt64Array.from(promptIds.map(BigInt)), [1, promptIds.length]);
  const mask = new TjsTensor('int64', new BigInt64Array(promptIds.length).fill(1n), [1, promptIds.length]);
  return [
    {
      name: 'transformers.js pipeline',
      async generate(maxNewTokens, probe) {
        let count = 0;
        const counting = probeStreamer(probe);
        const put = (counting as unknown as BaseStreamer).put.bind(counting);
        (counting as unknown as { put: (v: unknown) => void }).put = (v) => {
          count++;
          put(v as bigint[][]);
        };
        await pipe(promptText, { max_new_tokens: maxNewTokens, do_sample: false, streamer: counting });
        return new Array<number>(Math.max(0, count - 1)).fill(-1);
      },
      close: async () => undefined,
    },
    {
      name: 'transformers.js generate',
      async generate(maxNewTokens, probe) {
        const out = (await model.generate({
          input_ids: inputIds,
          attention_mask: mask,
          max_new_tokens: maxNewTokens,
          do_sample: false,
          streamer: probeStreamer(probe),
        })) as TjsTensor;
        return ((out.tolist() as bigint[][])[0] ?? []).slice(promptIds.length).map(Number);
      },
      close: () => pipe.dispose(),
    },
  ];
}

/** The floor: onnxruntime-node driven by hand, as in the model's own verify_ort_kvcache.mjs. */
async function bareLoop(promptIds: number[]): Promise<Implementation> {
  const model = await loadOnnxModel(modelDir, { intraOpNumThreads: threads });
  const layers = 5;
  const kvHeads = 4;
  const headDim = 8;
  const vocab = 512;
  const ids = (values: number[]) =>
    new Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);
  return {
    name: 'bare ORT loop',
    async generate(maxNewTokens, probe) {
      const feeds: Record<string, Tensor> = {};
      const empty = new Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
      for (let i = 0; i < layers; i++) {
        feeds[`past_key_values.${i}.key`] = empty;
        feeds[`past_key_values.${i}.value`] = empty;
      }
      let input = promptIds;
      let length = 0;
      const out: number[] = [];
      for (;;) {
        const total = length + input.length;
        feeds.input_ids = ids(input);
        feeds.attention_mask = new Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]);
        feeds.position_ids = ids(input.map((_, i) => length + i));
        const result = await model.session.run(feeds);
        for (let i = 0; i < layers; i++) {
          feeds[`past_key_values.${i}.key`] = result[`present.${i}.key`] as Tensor;
          feeds[`past_key_values.${i}.value`] = result[`present.${i}.value`] as Tensor;
        }
        length = total;
        const logits = result.logits?.data as Float32Array;
        const offset = logits.length - vocab;
        let best = 0;
        for (let j = 1; j < vocab; j++)
          if ((logits[offset + j] as number) > (logits[offset + best] as number)) best = j;
        out.push(best);
        probe.token();
        if (out.length >= maxNewTokens || best === 2) return out;
        input = [best];
      }
    },
    close: () => model.close(),
  };
}

async function main() {
  const generator = await createOnnxGenerator(modelDir, { intraOpNumThreads: threads });
  // The prompt: the model's own greedy story from BOS, cut to `promptTokens` tokens and decoded to text.
  const story = await generator.generateTokens({ inputIds: [1], maxTokens: promptTokens, temperature: 0 });
  const promptText = generator.tokenizer.decode(story.tokens.slice(0, promptTokens - 1), {
    skipSpecialTokens: true,
  });
  const promptIds = generator.encodePrompt([{ role: 'user', content: promptText }]);
  if (promptIds.length + decodeTokens + 1 > generator.contextLength) {
    throw new Error(
      `prompt (${promptIds.length}) + ${decodeTokens + 1} tokens exceed the context (${generator.contextLength})`,
    );
  }

  const [tjsPipeline, tjsGenerate] = await transformersJs(promptText, promptIds);
  const lookupGenerator = await createOnnxGenerator(modelDir, {
    intraOpNumThreads: threads,
    promptLookup: true,
  });
  const implementations = [
    ragloomStream(generator, promptText),
    ragloomStream(lookupGenerator, promptText, 'ragloom stream + lookup'),
    tjsPipeline as Implementation,
    ragloomTokens(generator, promptIds),
    tjsGenerate as Implementation,
    await bareLoop(promptIds),
  ];

  // Correctness first: the same greedy tokens everywhere (text rows by count; their text equality with
  // transformers.js is what the package tests check).
  const reference = (
    await generator.generateTokens({ inputIds: promptIds, maxTokens: decodeTokens + 1, temperature: 0 })
  ).tokens;
  for (const impl of implementations) {
    const tokens = await impl.generate(decodeTokens + 1, new Probe()); // also warms up
    const byCount = impl.name.startsWith('ragloom stream') || impl.name === 'transformers.js pipeline';
    const same = byCount ? tokens.length === reference.length : tokens.join() === reference.join();
    if (!same || reference.length !== decodeTokens + 1) {
      throw new Error(
        `${impl.name} generated different tokens (${tokens.length} vs ${reference.length}); the comparison would be unfair`,
      );
    }
  }

  const samples = new Map(implementations.map((impl) => [impl.name, [] as Probe[]]));
  for (let round = 0; round < rounds; round++) {
    for (const impl of implementations) {
      const probe = Probe.fresh();
      await impl.generate(decodeTokens + 1, probe);
      samples.get(impl.name)?.push(probe);
    }
  }

  /** What one clock says of an implementation (medians over the rounds). */
  interface ClockFigures {
    prefillTps: number;
    decodeTps: number;
    msPerToken: number;
    runMsPerToken: number;
    /** Time per token outside session.run. */
    overheadMsPerToken: number;
    overheadPct: number;
  }
  type Clock = 'wall' | 'cpu';
  interface Row {
    name: string;
    wall: ClockFigures;
    cpu: ClockFigures;
  }
  const figures = (probes: readonly Probe[], clock: Clock): ClockFigures => {
    const perToken = probes.map((p) => (p[clock].last - p[clock].first) / (p.tokens - 1));
    const runPerToken = probes.map((p) => (p[clock].runAtLast - p[clock].runAtFirst) / (p.tokens - 1));
    const overhead = perToken.map((ms, i) => ms - (runPerToken[i] as number));
    return {
      prefillTps: promptIds.length / (median(probes.map((p) => p[clock].first - p[clock].start)) / 1000),
      decodeTps: 1000 / median(perToken),
      msPerToken: median(perToken),
      runMsPerToken: median(runPerToken),
      overheadMsPerToken: median(overhead),
      overheadPct: 100 * median(overhead.map((o, i) => o / (runPerToken[i] as number))),
    };
  };
  const rows: Row[] = implementations.map((impl) => {
    const probes = samples.get(impl.name) ?? [];
    return { name: impl.name, wall: figures(probes, 'wall'), cpu: figures(probes, 'cpu') };
  });

  const pad = (text: string, n: number) => text.padEnd(n);
  const col = (v: number, digits: number, width: number) => v.toFixed(digits).padStart(width);
  const table = (title: string, clock: Clock) => {
    console.log(`\n${title}`);
    console.log(
      `${pad('implementation', 26)}${'prefill tok/s'.padStart(14)}${'decode tok/s'.padStart(14)}${'ms/token'.padStart(10)}` +
        `${'run ms/tok'.padStart(12)}${'overhead ms'.padStart(13)}${'overhead %run'.padStart(15)}`,
    );
    for (const r of rows) {
      const { prefillTps, decodeTps, msPerToken, runMsPerToken, overheadMsPerToken, overheadPct } = r[clock];
      console.log(
        `${pad(r.name, 26)}${col(prefillTps, 0, 14)}${col(decodeTps, 0, 14)}${col(msPerToken, 3, 10)}` +
          `${col(runMsPerToken, 3, 12)}${col(overheadMsPerToken, 4, 13)}${`${overheadPct.toFixed(1)}%`.padStart(15)}`,
      );
    }
  };
  console.log(
    `\nstories260k (5 layers, GQA 8/4 heads, vocab 512), greedy, prompt ${promptIds.length} tokens, decode ${decodeTokens} tokens, ` +
      `intraOpNumThreads ${threads}, ${rounds} interleaved rounds (medians), node ${process.version}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  table('wall clock', 'wall');
  table('CPU time of this process (insensitive to other load on the machine)', 'cpu');
  const by = (name: string) => rows.find((r) => r.name === name) as Row;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`\n${'ratios'.padEnd(62)}wall     CPU`);
  const ratio = (label: string, a: Row, b: Row, pick: (f: ClockFigures) => number, target?: number) => {
    const wall = pick(a.wall) / pick(b.wall);
    const cpu = pick(a.cpu) / pick(b.cpu);
    console.log(
      `  ${label.padEnd(58)}${wall.toFixed(2).padStart(6)}x${cpu.toFixed(2).padStart(7)}x` +
        (target === undefined
          ? ''
          : `   (target >= ${target}x: wall ${verdict(wall >= target)}, CPU ${verdict(cpu >= target)})`),
    );
  };
  const decode = (f: ClockFigures) => f.decodeTps;
  const prefill = (f: ClockFigures) => f.prefillTps;
  const stream = by('ragloom stream');
  const tokens = by('ragloom tokens');
  const pipelineRow = by('transformers.js pipeline');
  const generateRow = by('transformers.js generate');
  const bare = by('bare ORT loop');
  const lookupRow = by('ragloom stream + lookup');
  ratio('decode   ragloom stream / transformers.js pipeline', stream, pipelineRow, decode, 1.5);
  ratio('decode   ragloom stream + lookup / transformers.js pipeline', lookupRow, pipelineRow, decode, 1.5);
  ratio('decode   ragloom tokens / transformers.js generate', tokens, generateRow, decode, 1.5);
  ratio('prefill  ragloom stream / transformers.js pipeline', stream, pipelineRow, prefill);
  ratio('prefill  ragloom tokens / transformers.js generate', tokens, generateRow, prefill);
  ratio('decode   ragloom tokens / bare ORT loop', tokens, bare, decode);
  console.log(
    '\nper-token overhead beyond the bare session.run loop (same model runs, same onnxruntime output garbage)',
  );
  for (const r of [stream, lookupRow, tokens, pipelineRow, generateRow]) {
    const mine = r === stream || r === tokens || r === lookupRow;
    const wall = r.wall.msPerToken - bare.wall.msPerToken;
    const cpu = r.cpu.msPerToken - bare.cpu.msPerToken;
    const wallPct = (100 * wall) / bare.wall.runMsPerToken;
    const cpuPct = (100 * cpu) / bare.cpu.runMsPerToken;
    console.log(
      `  ${r.name.padEnd(26)} wall ${(wall * 1000).toFixed(1).padStart(7)} us = ${wallPct.toFixed(1).padStart(5)}%` +
        `   CPU ${(cpu * 1000).toFixed(1).padStart(7)} us = ${cpuPct.toFixed(1).padStart(5)}%  of the bare loop's run time` +
        (mine ? `   (target <= 10%: wall ${verdict(wallPct <= 10)}, CPU ${verdict(cpuPct <= 10)})` : ''),
    );
  }
  console.log(
    '\ntime outside session.run per token (includes collecting onnxruntime-node output buffers, which every row pays)',
  );
  for (const r of [stream, lookupRow, tokens, pipelineRow, generateRow, bare]) {
    const mine = r === stream || r === tokens || r === lookupRow;
    console.log(
      `  ${r.name.padEnd(26)} wall ${(r.wall.overheadMsPerToken * 1000).toFixed(1).padStart(7)} us = ${r.wall.overheadPct.toFixed(1).padStart(5)}%` +
        `   CPU ${(r.cpu.overheadMsPerToken * 1000).toFixed(1).padStart(7)} us = ${r.cpu.overheadPct.toFixed(1).padStart(5)}%` +
        (mine
          ? `   (wall ${verdict(r.wall.overheadPct <= 10)}, CPU ${verdict(r.cpu.overheadPct <= 10)})`
          : ''),
    );
  }
  for (const impl of implementations) await impl.close();
  await generator.close();
  await lookupGenerator.close();
}

await main();
