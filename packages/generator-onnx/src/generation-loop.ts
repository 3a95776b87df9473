import { createStopSequenceMatcher, type FinishReason, throwIfAborted } from '@ragloom/core';
import type { KvCacheDecoder } from './kv-cache-decoder.js';
import { type PromptLookupOptions, promptLookupDraft } from './prompt-lookup.js';
import type { SamplingParams } from './sampling/sampling-params.js';
import { createSeededRandom } from './sampling/seeded-random.js';
import { createTokenSampler } from './sampling/token-sampler.js';
import { createStreamDetokenizer, type DecodeTokens } from './stream-detokenizer.js';

export interface GenerationPlan {
  readonly decoder: KvCacheDecoder;
  readonly promptIds: readonly number[];
  /** Generated tokens allowed (EOS included), already capped by the context length. */
  readonly maxNewTokens: number;
  /** Token ids that end generation with finish reason 'stop'. */
  readonly eosTokenIds: ReadonlySet<number>;
  readonly sampling: SamplingParams;
  readonly vocabSize: number;
  readonly stop: readonly string[] | undefined;
  readonly decode: DecodeTokens;
  readonly signal: AbortSignal | undefined;
  /** Longest prompt + output. */
  readonly contextLength: number;
  /** Speculate with prompt-lookup drafts (undefined: one token per run). */
  readonly promptLookup: PromptLookupOptions | undefined;
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
 * The decoding loop: prefill the prompt once, then sample → detokenize → match stops → run the model again, one
 * token per run; or, with prompt lookup, the chosen token plus a draft of likely next tokens per run, keeping the
 * tokens the model confirms (each chosen from its own logits, in order) and dropping the rest from the cache.
 * The signal is checked before every run, so an abort stops compute within one step.
 */
export async function* runGeneration(plan: GenerationPlan): AsyncGenerator<GenerationStep, GenerationEnd> {
  const { decoder, promptIds, maxNewTokens, eosTokenIds, signal, contextLength } = plan;
  const vocab = plan.vocabSize;
  const sampler = createTokenSampler(plan.sampling, vocab, createSeededRandom(plan.sampling.seed));
  sampler.observe(promptIds);
  const detokenizer = createStreamDetokenizer(plan.decode, promptIds);
  const stops = createStopSequenceMatcher(plan.stop);
  const maxDraft = plan.promptLookup ? (plan.promptLookup.maxDraftTokens ?? 4) : 0;
  const ngramSize = plan.promptLookup?.ngramSize ?? 3;
  const history = maxDraft > 0 ? [...promptIds] : [];
  throwIfAborted(signal, 'generation');
  // rows[i]: logits after the i-th token of the last run; draft: that run's tokens after the first.
  let rows: Float32Array[] = [await decoder.prefill(promptIds)];
  let draft: number[] = [];
  let completionTokens = 0;
  for (;;) {
    let token = -1;
    let confirmed = 0;
    for (const logits of rows) {
      throwIfAborted(signal, 'generation');
      token = sampler.sample(logits);
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
      if (maxDraft > 0) history.push(token);
      // The next row was computed after draft[confirmed]; it is valid only if the model chose that token.
      if (confirmed < draft.length && token === draft[confirmed]) confirmed++;
      else break;
    }
    decoder.discard(draft.length - confirmed);
    throwIfAborted(signal, 'generation');
    const room = Math.min(maxDraft, maxNewTokens - completionTokens - 1, contextLength - decoder.length - 1);
    draft = room > 0 ? promptLookupDraft(history, ngramSize, room) : [];
    if (draft.length === 0) rows = [await decoder.step(token)];
    else {
      const all = await decoder.prefill([token, ...draft], { allLogits: true });
      rows = Array.from({ length: draft.length + 1 }, (_, i) => all.subarray(i * vocab, (i + 1) * vocab));
    }
  }
}
