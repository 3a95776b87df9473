import {
  FILTER_GRAMMAR_DESCRIPTION,
  type Filter,
  type Pipeline,
  parseFilter,
  RagloomError,
  type RetrievedPassage,
} from '@ragloom/core';
import {
  formatOptionPath,
  type InferOptions,
  type InferOptionsInput,
  option,
  optionsJsonSchema,
  parseOptions,
} from '@ragloom/core/adapter';
import { jsonSchema, type Tool, tool } from 'ai';
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
    ...(options.allowFilter ? { filter: option.record(option.unknown()).optional().describe(FILTER_GRAMMAR_DESCRIPTION) } : {}),
  });
}

/**
 * ragloom retrieval as an AI SDK tool: `generateText({ model, tools: { search: ragloomSearchTool({ pipeline }) } })`
 * lets the model search a ragloom index. The input schema (query, k, filter in core's grammar) is declared
 * once with the adapter kit, which gives both the JSON Schema the model sees and the check of what it sends; a
 * bad filter fails the call with INVALID_FILTER naming the path inside it, which the AI SDK hands back to the
 * model as a tool error so it can correct itself.
 */
export function ragloomSearchTool(input: RagloomSearchToolOptions): Tool<RagloomSearchInput, RagloomSearchOutput> {
  const options = parseOptions(ragloomSearchToolOptions, input, { component: 'ragloomSearchTool' });
  if (options.filter !== undefined) parseFilter(options.filter as Filter);
  const declaration = inputDeclaration(options);
  const { $schema: _draft, ...schema } = optionsJsonSchema(declaration);
  const inputSchema = jsonSchema<RagloomSearchInput>(schema, {
    validate(value) {
      const result = declaration['~standard'].validate(value);
      if ('value' in result && !result.issues) return { success: true, value: result.value as RagloomSearchInput };
      const problems = (result.issues ?? []).map((i) => `${formatOptionPath(i.path) || 'input'}: ${i.message}`);
      return {
        success: false,
        error: new RagloomError('INVALID_ARGUMENT', `invalid search input: ${problems.join('; ')}`, {
          details: { issues: result.issues },
        }),
      };
    },
  });
  return tool<RagloomSearchInput, RagloomSearchOutput>({
    description: options.description,
    inputSchema,
    async execute({ query, k, filter }, { abortSignal }) {
      // The model's filter is checked on its own first, so an error names a path the model wrote.
      if (filter !== undefined) parseFilter(filter);
      const fixed = options.filter as Filter | undefined;
      const combined = fixed && filter ? { $and: [fixed, filter] } : (fixed ?? filter);
      const passages: RetrievedPassage[] = await options.pipeline.retrieve(query, {
        k: k ?? options.defaultK,
        ...(combined ? { filter: combined } : {}),
        ...(abortSignal ? { signal: abortSignal } : {}),
      });
      return { query, passages: passages.map((p, i) => passageJson(p, i, options.includeMetadata)) };
    },
  });
}
