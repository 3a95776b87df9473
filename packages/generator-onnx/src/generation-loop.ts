import { createStopSequenceMatcher, type FinishReason, throwIfAborted } from '@ragloom/core';
import type { KvCacheDecoder } from './kv-cache-decoder.js';
import type { SamplingParams } from './sampling/sampling-params.js';
import { createSeededRandom } from './sampling/seeded-random.js';
import { createTokenSampler } from './sampling/token-sampler.js';
import { createStreamDetokenizer, type DecodeTokens } from './stream-detokenizer.js';

export interface GenerationPlan {
  readonly decoder: KvCacheDecoder;
  readonly promptIds: readonly number[];
  /** Generated tokens allowed (EOS included), already capped by the context length. */
  readonly maxNewTokens: number;
  /** Whether hitting maxNewTokens ends with 'length' (always, by the contract). */
  readonly eosTokenIds: ReadonlySet<number>;
  readonly sampling: SamplingParams;
  readonly vocabSize: number;
  readonly stop: readonly string[] | undefined;
  readonly decode: DecodeTokens;
  readonly signal: AbortSignal | undefined;
}

/** One generated token and the text that became final with it ('' while a character or stop match is pending). */
export interface GenerationStep {
  readonly token: number;
  readonly text: string;
}

export interface GenerationEnd {
  readonly finishReason: FinishReason;
  readonly completionTokens: number;
  /** The EOS token that ended generation, if one did (it is counted but not yielded as a step). */
  readonly eosToken?: number;
  /** Text released at the end (held back for a possible stop sequence or an incomplete character). */
  readonly text: string;
}

/**
 * The decoding loop: prefill the prompt once, then sample → detokenize → match stops → step the cache, one token
 * per model run. The signal is checked before every run, so an abort stops compute within one step.
 */
export async function* runGeneration(plan: GenerationPlan): AsyncGenerator<GenerationStep, GenerationEnd> {
  const { decoder, promptIds, maxNewTokens, eosTokenIds, signal } = plan;
  const sampler = createTokenSampler(plan.sampling, plan.vocabSize, createSeededRandom(plan.sampling.seed));
  sampler.observe(promptIds);
  const detokenizer = createStreamDetokenizer(plan.decode, promptIds);
  const stops = createStopSequenceMatcher(plan.stop);
  throwIfAborted(signal, 'generation');
  let logits = await decoder.prefill(promptIds);
  let completionTokens = 0;
  for (;;) {
    throwIfAborted(signal, 'generation');
    const token = sampler.sample(logits);
    completionTokens++;
    if (eosTokenIds.has(token)) {
      const tail = stops.push(detokenizer.flush());
      return { finishReason: 'stop', completionTokens, eosToken: token, text: tail.text + stops.flush() };
    }
    const matched = stops.push(detokenizer.push(token));
    if (matched.stopped) {
      yield { token, text: matched.text };
      return { finishReason: 'stop', completionTokens, text: '' };
    }
    yield { token, text: matched.text };
    if (completionTokens >= maxNewTokens) {
      const tail = stops.push(detokenizer.flush());
      if (tail.stopped) return { finishReason: 'stop', completionTokens, text: tail.text };
      return { finishReason: 'length', completionTokens, text: tail.text + stops.flush() };
    }
    throwIfAborted(signal, 'generation');
    logits = await decoder.step(token);
  }
}
