import { type GenerateRequest, RagloomError } from '@ragloom/core';
import type { GenerationDefaults } from '../generation-config.js';
import type { OnnxProviderOptions } from '../onnx-generator-options.js';
import type { SamplingParams } from './sampling-params.js';
import { randomSeed } from './seeded-random.js';

/** transformers' GenerationConfig default when sampling without a top_k. */
const HF_DEFAULT_TOP_K = 50;

function checkProviderOptions(options: OnnxProviderOptions | undefined): void {
  if (options === undefined) return;
  const { minP, repetitionPenalty } = options;
  if (minP !== undefined && (typeof minP !== 'number' || !(minP >= 0 && minP <= 1))) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `providerOptions.onnx.minP must be in [0, 1], got ${String(minP)}`,
      {
        details: { field: 'providerOptions.onnx.minP' },
      },
    );
  }
  if (
    repetitionPenalty !== undefined &&
    (typeof repetitionPenalty !== 'number' || !(repetitionPenalty > 0) || !Number.isFinite(repetitionPenalty))
  ) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `providerOptions.onnx.repetitionPenalty must be a finite number > 0, got ${String(repetitionPenalty)}`,
      { details: { field: 'providerOptions.onnx.repetitionPenalty' } },
    );
  }
}

/**
 * Request options over generation_config.json defaults, as transformers resolves them: no temperature in the
 * request → the model's `do_sample`/`temperature` (greedy when it does not sample); temperature 0 → greedy.
 */
export function resolveSampling(
  request: Pick<GenerateRequest, 'temperature' | 'topK' | 'topP' | 'seed'>,
  onnx: OnnxProviderOptions | undefined,
  defaults: GenerationDefaults,
): SamplingParams {
  checkProviderOptions(onnx);
  const temperature = request.temperature ?? (defaults.doSample ? (defaults.temperature ?? 1) : 0);
  const sampling = temperature > 0;
  return {
    temperature,
    topK: request.topK ?? (sampling ? (defaults.topK ?? HF_DEFAULT_TOP_K) : 0),
    topP: request.topP ?? defaults.topP ?? 1,
    minP: onnx?.minP ?? defaults.minP ?? 0,
    repetitionPenalty: onnx?.repetitionPenalty ?? defaults.repetitionPenalty ?? 1,
    seed: request.seed ?? randomSeed(),
  };
}
