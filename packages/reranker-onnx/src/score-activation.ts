import { RagloomError } from '@ragloom/core';
import type { JsonObject } from '@ragloom/onnx-model';
import type { RerankerActivation } from './onnx-reranker-options.js';

export type ResolvedActivation = 'sigmoid' | 'none';

// sentence-transformers writes the CrossEncoder's activation into config.json: older versions as
// `sbert_ce_default_activation_function`, newer ones as `sentence_transformers.activation_fn`.
function configuredActivation(config: JsonObject): string | undefined {
  const nested = config.sentence_transformers;
  if (typeof nested === 'object' && nested !== null && !Array.isArray(nested)) {
    const fn = (nested as JsonObject).activation_fn;
    if (typeof fn === 'string') return fn;
  }
  const legacy = config.sbert_ce_default_activation_function;
  return typeof legacy === 'string' ? legacy : undefined;
}

/** The activation to apply, from the option and the model's config. */
export function resolveActivation(
  requested: RerankerActivation | undefined,
  config: JsonObject,
  configPath: string,
): ResolvedActivation {
  const choice = requested ?? 'auto';
  if (choice === 'sigmoid' || choice === 'none') return choice;
  if (choice !== 'auto') {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `activation must be 'auto', 'sigmoid' or 'none', got ${JSON.stringify(choice)}`,
    );
  }
  const configured = configuredActivation(config);
  if (configured === undefined) return 'sigmoid';
  if (/(^|\.)Sigmoid$/.test(configured)) return 'sigmoid';
  if (/(^|\.)Identity$/.test(configured)) return 'none';
  throw new RagloomError(
    'UNSUPPORTED',
    `${configPath} asks for the activation ${configured}; pass activation: 'sigmoid' or 'none' to choose one`,
    { details: { file: configPath, activation: configured } },
  );
}

export function applyActivation(logit: number, activation: ResolvedActivation): number {
  return activation === 'sigmoid' ? 1 / (1 + Math.exp(-logit)) : logit;
}
