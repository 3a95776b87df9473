import {
  type AskOptions,
  type AskStreamPart,
  createStopSequenceMatcher,
  type FinishReason,
  parseCitations,
  simpleTokenize,
  templateTokens,
} from '@ragloom/core';
import type { RagloomRuntime } from './open-runtime.js';

export interface AnswerStreamOptions extends Omit<AskOptions, 'generation'> {
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
}

/**
 * `askStream` with the generation settings a client expects to hold in both answer modes. Generated answers
 * get them from the generator; extractive answers (which come whole) are streamed word by word here, cut at
 * `maxTokens` words (finish reason 'length') and at stop sequences, and keep only the citations still in the text.
 */
export async function* streamAnswer(
  runtime: RagloomRuntime,
  question: string,
  options: AnswerStreamOptions = {},
): AsyncGenerator<AskStreamPart> {
  const { maxTokens, temperature, topP, seed, stop, ...ask } = options;
  const defaults = runtime.config.generation;
  const generation = {
    maxTokens: maxTokens ?? defaults.maxTokens,
    temperature: temperature ?? defaults.temperature,
    topP: topP ?? defaults.topP,
    topK: defaults.topK,
    seed: seed ?? defaults.seed,
    stop: stop ?? defaults.stop,
  };
  const parts = runtime.pipeline.askStream(question, { ...ask, generation });
  let extractive = false;
  let emitted = '';
  let completion = 0;
  let finish: FinishReason = 'stop';
  const matcher = createStopSequenceMatcher(stop);
  let stopped = false;
  for await (const part of parts) {
    if (part.type === 'passages') {
      extractive = part.mode === 'extractive';
      yield part;
    } else if (part.type === 'text-delta') {
      if (!extractive) {
        yield part;
        continue;
      }
      for (const token of templateTokens(part.delta)) {
        if (stopped) break;
        if (maxTokens !== undefined && completion >= maxTokens) {
          finish = 'length';
          break;
        }
        completion++;
        const { text, stopped: hit } = matcher.push(token);
        if (text) {
          emitted += text;
          yield { type: 'text-delta', delta: text };
        }
        if (hit) stopped = true;
      }
    } else if (!extractive) {
      yield part;
    } else {
      const rest = stopped || finish === 'length' ? '' : matcher.flush();
      if (rest) {
        emitted += rest;
        yield { type: 'text-delta', delta: rest };
      }
      const cited = new Set(parseCitations(emitted, part.passages.length));
      const promptTokens = simpleTokenize(question).length;
      yield {
        ...part,
        answer: emitted,
        citations: part.citations.filter((c) => cited.has(c.number)),
        finishReason: finish,
        usage: { promptTokens, completionTokens: completion, totalTokens: promptTokens + completion },
      };
    }
  }
}
