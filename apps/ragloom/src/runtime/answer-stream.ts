import type { AskOptions, AskStreamPart } from '@ragloom/core';
import type { RagloomRuntime } from './open-runtime.js';

export interface AnswerStreamOptions extends Omit<AskOptions, 'generation'> {
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
}

/**
 * The generation settings of one request: what the client asked for, else the config's `generation`.
 * The pipeline honours them in both answer modes (extractive answers are cut at `maxTokens` words and
 * at stop sequences by core), so the CLI, the server and library code answer alike.
 */
export function generationFor(
  runtime: Pick<RagloomRuntime, 'config'>,
  request: Pick<AnswerStreamOptions, 'maxTokens' | 'temperature' | 'topP' | 'seed' | 'stop'> = {},
): NonNullable<AskOptions['generation']> {
  const defaults = runtime.config.generation;
  return {
    maxTokens: request.maxTokens ?? defaults.maxTokens,
    temperature: request.temperature ?? defaults.temperature,
    topP: request.topP ?? defaults.topP,
    topK: defaults.topK,
    seed: request.seed ?? defaults.seed,
    stop: request.stop ?? defaults.stop,
  };
}

/** `askStream` with a request's generation settings over the config's. */
export function streamAnswer(
  runtime: RagloomRuntime,
  question: string,
  options: AnswerStreamOptions = {},
): AsyncIterable<AskStreamPart> {
  const { maxTokens, temperature, topP, seed, stop, ...ask } = options;
  return runtime.pipeline.askStream(question, {
    ...ask,
    generation: generationFor(runtime, { maxTokens, temperature, topP, seed, stop }),
  });
}
