import { isAbsolute } from 'node:path';
import { RagloomError } from '@ragloom/core';
import { z } from 'zod';
import { formatFieldPath } from '../config/config-file.js';

/**
 * A JSON object kept key for key, each value checked by `value`. zod's `z.record` copies into a new object
 * by assignment, which drops a `__proto__` key (the assignment sets the prototype instead), so a filter
 * `{"__proto__": "x"}` would become match-all. Core's filters read every own key as a field name, so the
 * HTTP layer keeps them all: `Object.fromEntries` defines own properties.
 */
function ownKeysObject<V extends z.ZodType>(value: V) {
  return z
    .custom<Record<string, unknown>>(
      (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
      'expected an object',
    )
    .transform((input, ctx) => {
      const entries: [string, z.output<V>][] = [];
      for (const key of Object.keys(input)) {
        const result = value.safeParse(input[key]);
        if (result.success) entries.push([key, result.data]);
        else for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] });
      }
      return Object.fromEntries(entries) as Record<string, z.output<V>>;
    });
}

const filterSchema = ownKeysObject(z.unknown());

const contentPart = z.object({ type: z.literal('text'), text: z.string() }).loose();

/** A chat message as OpenAI clients send it; text content parts are joined, other parts are refused. */
const messageSchema = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant']),
    content: z.union([z.string(), z.array(contentPart)]).nullable(),
    name: z.string().optional(),
  })
  .loose();

export const chatCompletionRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(messageSchema).min(1, 'send at least one message'),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().gt(0).max(1).nullable().optional(),
    seed: z.number().int().nullable().optional(),
    stop: z
      .union([z.string(), z.array(z.string()).max(4)])
      .nullable()
      .optional(),
    n: z.literal(1, 'only n = 1 is supported').nullable().optional(),
    user: z.string().optional(),
    /** ragloom's extension: retrieval settings for this request. */
    ragloom: z
      .object({
        k: z.number().int().positive().max(100).optional(),
        filter: filterSchema.optional(),
      })
      .strict()
      .optional(),
  })
  .loose();

export const embeddingsRequestSchema = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()).min(1, 'send at least one input').max(2048)]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().optional(),
    /** ragloom's extension: embed as search queries (models such as e5/bge prefix them) or documents (default). */
    input_type: z.enum(['query', 'document']).optional(),
  })
  .loose();

export const searchRequestSchema = z
  .object({
    query: z.string().trim().min(1, 'query must not be empty'),
    k: z.number().int().positive().max(100).optional(),
    filter: filterSchema.optional(),
  })
  .strict();

export const ingestRequestSchema = z
  .object({
    documents: z
      .array(
        z
          .object({
            id: z.string().min(1).max(512),
            text: z.string(),
            metadata: ownKeysObject(
              z.union([
                z.string(),
                z.number(),
                z.boolean(),
                z.null(),
                z.array(z.union([z.string(), z.number(), z.boolean()])),
              ]),
            ).optional(),
          })
          .strict(),
      )
      .min(1, 'send at least one document')
      .max(10_000),
  })
  .strict();

/** `POST /ingest/files`: the CLI hands an ingest of files on this machine to the server that owns the data dir. */
export const fileIngestRequestSchema = z
  .object({
    paths: z
      .array(z.string().min(1).refine(isAbsolute, 'paths must be absolute (the CLI resolves them)'))
      .min(1, 'send at least one path')
      .max(10_000),
    prune: z.boolean().optional(),
    rebuild: z.boolean().optional(),
    /** The CLI's --exclude patterns. */
    exclude: z.array(z.string().min(1).max(1000)).max(1000).optional(),
    /** The CLI's config file and settings fingerprint: they must be the server's. */
    config: z.string().min(1),
    settings: z.string().min(1),
  })
  .strict();

/** Validates a request body; a failure is INVALID_ARGUMENT naming the first wrong field (`param`). */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${formatFieldPath(i.path)}: ${i.message}`);
  const first = result.error.issues[0];
  throw new RagloomError('INVALID_ARGUMENT', problems.join('; '), {
    details: { param: first ? formatFieldPath(first.path) : null, problems },
  });
}

export type ChatCompletionRequest = z.output<typeof chatCompletionRequestSchema>;
