import { RagloomError } from '../errors/ragloom-error.js';
import { type AnyOptionSchema, type InferOptions, runSchema } from './option-schema.js';

/** One bad option in `details.issues` of an INVALID_CONFIG error: `{ path: 'prompts.query', message }`. */
export interface OptionsIssueDetail {
  /** Dotted path (`a.b`, `stop[2]`); `''` for the options value itself. */
  readonly path: string;
  /** What was expected and what was got: `expected an integer >= 1, got 0`. */
  readonly message: string;
}

/** `details` of the INVALID_CONFIG error `parseOptions` throws. */
export interface OptionsErrorDetails {
  /** Who was configured: `createOpenAIEncoder`, `@ragloom/retriever-hnsw (retriever)`. */
  readonly component: string;
  readonly issues: readonly OptionsIssueDetail[];
}

/**
 * Checks a factory's options against their declaration and returns them parsed and typed (defaults filled),
 * or throws one `INVALID_CONFIG` RagloomError naming every bad option:
 * `invalid options for createOpenAIEncoder: maxBatchSize: expected an integer >= 1, got 0`, with
 * `details: { component, issues: [{ path, message }] }` (see `OptionsErrorDetails`).
 */
export function parseOptions<S extends AnyOptionSchema>(
  schema: S,
  value: unknown,
  context: { readonly component: string },
): InferOptions<S> {
  const result = runSchema(schema, value);
  if (result.ok) return result.value;
  const lines = result.issues.map((issue) =>
    issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`,
  );
  const details: OptionsErrorDetails = { component: context.component, issues: result.issues };
  throw new RagloomError('INVALID_CONFIG', `invalid options for ${context.component}: ${lines.join('; ')}`, {
    details: { ...details },
  });
}
