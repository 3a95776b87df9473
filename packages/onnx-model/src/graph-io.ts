import { RagloomError } from '@ragloom/core';
import type { InferenceSession } from 'onnxruntime-node';

export interface GraphValue {
  readonly name: string;
  /** Element type (`int64`, `float32`, ...), undefined for non-tensor values. */
  readonly type: string | undefined;
  /** Dimensions: numbers for fixed sizes, strings for symbolic ones (`batch_size`). */
  readonly shape: ReadonlyArray<number | string>;
}

export interface GraphSignature {
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
}

const describe = (metadata: readonly InferenceSession.ValueMetadata[]): GraphValue[] =>
  metadata.map((m) => ({
    name: m.name,
    type: m.isTensor ? m.type : undefined,
    shape: m.isTensor ? m.shape : [],
  }));

/** The graph's input and output names, element types and shapes, as onnxruntime reports them. */
export function graphSignature(session: InferenceSession): GraphSignature {
  return { inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
}

export interface GraphExpectation {
  /** Inputs the adapter must feed and the graph must declare. */
  readonly requiredInputs?: readonly string[];
  /** Inputs the adapter can feed if the graph declares them (e.g. `token_type_ids`). */
  readonly optionalInputs?: readonly string[];
  /** Outputs the adapter reads; for alternatives give an array (`[['last_hidden_state', 'token_embeddings']]`). */
  readonly requiredOutputs?: ReadonlyArray<string | readonly string[]>;
  /** Expected element type per name (`{ input_ids: 'int64' }`). */
  readonly types?: Readonly<Record<string, string>>;
}

/**
 * Checks that a graph is one the adapter can drive: every required input and output is there, and the graph wants
 * no input the adapter cannot feed. Otherwise `MODEL_INVALID`, naming the model file and what is wrong.
 */
export function assertGraphSignature(
  signature: GraphSignature,
  expectation: GraphExpectation,
  modelPath: string,
): void {
  const inputs = new Set(signature.inputs.map((v) => v.name));
  const outputs = new Set(signature.outputs.map((v) => v.name));
  const known = new Set([...(expectation.requiredInputs ?? []), ...(expectation.optionalInputs ?? [])]);
  const problems: string[] = [];
  const missingInputs = (expectation.requiredInputs ?? []).filter((name) => !inputs.has(name));
  if (missingInputs.length > 0) problems.push(`missing input(s) ${missingInputs.join(', ')}`);
  const unknownInputs = [...inputs].filter((name) => !known.has(name));
  if (unknownInputs.length > 0) problems.push(`unsupported input(s) ${unknownInputs.join(', ')}`);
  for (const want of expectation.requiredOutputs ?? []) {
    const names = typeof want === 'string' ? [want] : want;
    if (!names.some((name) => outputs.has(name))) problems.push(`missing output ${names.join(' or ')}`);
  }
  for (const [name, type] of Object.entries(expectation.types ?? {})) {
    const value = [...signature.inputs, ...signature.outputs].find((v) => v.name === name);
    if (value?.type !== undefined && value.type !== type) {
      problems.push(`${name} is ${value.type}, expected ${type}`);
    }
  }
  if (problems.length > 0) {
    throw new RagloomError(
      'MODEL_INVALID',
      `${modelPath} does not have the expected graph: ${problems.join('; ')} (inputs: ${[...inputs].join(', ')}; outputs: ${[...outputs].join(', ')})`,
      {
        details: {
          path: modelPath,
          inputs: [...inputs],
          outputs: [...outputs],
          missingInputs,
          unknownInputs,
        },
      },
    );
  }
}
