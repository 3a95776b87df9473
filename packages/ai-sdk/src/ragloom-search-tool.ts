import {
  FILTER_GRAMMAR_DESCRIPTION,
  type Filter,
  type Pipeline,
  parseFilter,
  type RetrievedPassage,
  type StandardSchemaResult,
} from '@ragloom/core';
import {
  type InferOptions,
  type InferOptionsInput,
  type JsonSchema,
  option,
  optionsJsonSchema,
  parseOptions,
} from '@ragloom/core/adapter';
import { type PassageJson, passageJson } from './passage-json.js';

export const ragloomSearchToolOptions = option.object({
  /** What the tool searches: a ragloom pipeline (or anything with its `retrieve`). */
  pipeline: option.custom<Pick<Pipeline, 'retrieve'>>(
    'a ragloom pipeline (an object with retrieve(query, options))',
    (value) => typeof (value as { retrieve?: unknown } | null)?.retrieve === 'function',
  ),
  description: option
    .string()
    .default(
      'Search the knowledge base. Returns the passages most relevant to the query, best first, each with its ' +
        'source, score and text; cite them by source.',
    )
    .describe('What the model reads to decide when to call the tool.'),
  defaultK: option.integer({ min: 1 }).default(5).describe('Passages returned when the model does not say.'),
  maxK: option.integer({ min: 1, max: 100 }).default(20).describe('The most passages the model may ask for.'),
  allowFilter: option.boolean().default(true).describe('Let the model pass a metadata filter.'),
  /** A filter applied to every search (ANDed with the model's), e.g. the current user's documents only. */
  filter: option.record(option.unknown()).optional(),
  includeMetadata: option.boolean().default(true).describe("Return each passage's metadata to the model."),
});

export type RagloomSearchToolOptions = InferOptionsInput<typeof ragloomSearchToolOptions>;

/** What the model sends. */
export interface RagloomSearchInput {
  readonly query: string;
  readonly k?: number;
  readonly filter?: Filter;
}

/** What the model gets back. */
export interface RagloomSearchOutput {
  readonly query: string;
  readonly passages: PassageJson[];
}

function inputDeclaration(options: InferOptions<typeof ragloomSearchToolOptions>) {
  return option.object({
    query: option.string().describe('What to search for, in natural language or keywords.'),
    k: option
      .integer({ min: 1, max: options.maxK })
      .optional()
      .describe(`How many passages to return (default ${options.defaultK}, at most ${options.maxK}).`),
    ...(options.allowFilter
      ? { filter: option.record(option.unknown()).optional().describe(FILTER_GRAMMAR_DESCRIPTION) }
      : {}),
  });
}

/**
 * A Standard Schema that also converts to JSON Schema (`~standard.jsonSchema`, the Standard JSON Schema
 * interface), which is what the AI SDK reads from a tool's `inputSchema` in both AI SDK 6 and 7.
 */
export interface ToolInputSchema<T> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardSchemaResult<T>;
    readonly jsonSchema: {
      readonly input: (options: { readonly target: string }) => Record<string, unknown>;
      readonly output: (options: { readonly target: string }) => Record<string, unknown>;
    };
  };
}

/** What `ragloomSearchTool` returns: an AI SDK tool (`tool({...})` is the identity function, so this is one). */
export interface RagloomSearchTool {
  readonly description: string;
  readonly inputSchema: ToolInputSchema<RagloomSearchInput>;
  execute(
    input: RagloomSearchInput,
    options: { readonly abortSignal?: AbortSignal | undefined },
  ): Promise<RagloomSearchOutput>;
}

/**
 * ragloom retrieval as an AI SDK tool: `generateText({ model, tools: { search: ragloomSearchTool({ pipeline }) } })`
 * lets the model search a ragloom index. The input (query, k, filter in core's grammar) is declared once with
 * the adapter kit, which gives both the JSON Schema the model sees and the check of what it sends. A bad filter
 * fails the call with INVALID_FILTER naming the path inside it, which the AI SDK hands back to the model as a
 * tool error so it can correct itself. It is a plain object, so it needs no runtime import of `ai` and works with
 * AI SDK 6 and 7 alike.
 */
export function ragloomSearchTool(input: RagloomSearchToolOptions): RagloomSearchTool {
  const options = parseOptions(ragloomSearchToolOptions, input, { component: 'ragloomSearchTool' });
  if (options.filter !== undefined) parseFilter(options.filter);
  const declaration = inputDeclaration(options);
  const { $schema: _draft, ...schema }: JsonSchema = optionsJsonSchema(declaration);
  const toJsonSchema = () => ({ ...schema });
  const fixed = options.filter as Filter | undefined;
  return {
    description: options.description,
    inputSchema: {
      '~standard': {
        version: 1,
        vendor: 'ragloom',
        validate: (value) =>
          declaration['~standard'].validate(value) as StandardSchemaResult<RagloomSearchInput>,
        jsonSchema: { input: toJsonSchema, output: toJsonSchema },
      },
    },
    async execute({ query, k, filter }, { abortSignal }) {
      // The model's filter is checked on its own first, so an error names a path the model wrote.
      if (filter !== undefined) parseFilter(filter);
      const combined = fixed && filter ? { $and: [fixed, filter] } : (fixed ?? filter);
      const passages: RetrievedPassage[] = await options.pipeline.retrieve(query, {
        k: k ?? options.defaultK,
        ...(combined ? { filter: combined } : {}),
        ...(abortSignal ? { signal: abortSignal } : {}),
      });
      return { query, passages: passages.map((p, i) => passageJson(p, i, options.includeMetadata)) };
    },
  };
}
