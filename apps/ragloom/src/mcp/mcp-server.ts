import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { FILTER_GRAMMAR_DESCRIPTION, type Filter, isRagloomError, parseFilter } from '@ragloom/core';
import { z } from 'zod';
import { APP_VERSION } from '../cli/program.js';
import { streamAnswer } from '../runtime/answer-stream.js';
import type { RagloomRuntime } from '../runtime/open-runtime.js';
import { citationJson, passageJson } from '../server/citation-json.js';
import { listSourceDocuments, readSourceDocument } from './source-documents.js';

/** Resource URIs of source documents: `ragloom://documents/<percent-encoded document id>`. */
export const DOCUMENT_URI_PREFIX = 'ragloom://documents/';
export const documentUri = (id: string) => `${DOCUMENT_URI_PREFIX}${encodeURIComponent(id)}`;

/** JSON-RPC code MCP uses for a resource that does not exist. */
const RESOURCE_NOT_FOUND = -32002;

const MEDIA_TYPES: Readonly<Record<string, string>> = { markdown: 'text/markdown' };
const mediaType = (type: string | undefined) => (type && MEDIA_TYPES[type]) ?? 'text/plain';

const retrievalInput = {
  k: z
    .number()
    .int()
    .min(1)
    .max(50)
    .optional()
    .describe('How many passages to use (default: the configured topK).'),
  filter: z.record(z.string(), z.unknown()).optional().describe(FILTER_GRAMMAR_DESCRIPTION),
};

const location = {
  source: z.string(),
  line: z.number().nullable(),
  end_line: z.number().nullable(),
  page: z.number().nullable(),
  label: z.string().describe('Where the text is: `docs/guide.md:12-14`, `paper.pdf p.3`.'),
};

const passageOutput = z.object({
  number: z.number(),
  id: z.string(),
  document_id: z.string(),
  score: z.number(),
  ...location,
  text: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  retrievers: z
    .array(z.object({ retriever: z.string(), rank: z.number(), score: z.number() }))
    .nullable()
    .describe('Rank and score in each retriever before fusion (hybrid search); null for one retriever.'),
});

const citationOutput = z.object({
  number: z.number(),
  chunk_id: z.string(),
  document_id: z.string(),
  ...location,
  start: z.number().nullable(),
  end: z.number().nullable(),
  text: z.string(),
});

/** A RagloomError as an MCP tool error: the model reads `CODE: message` and can correct its call. */
function toolError(error: unknown): CallToolResult {
  if (!isRagloomError(error)) throw error;
  return { isError: true, content: [{ type: 'text', text: `${error.code}: ${error.message}` }] };
}

/** The filter a model sent, checked by core so that an error names the path inside it (`filter.year.$gtx`). */
const checkedFilter = (filter: Record<string, unknown> | undefined): Filter | undefined => {
  if (filter === undefined) return undefined;
  parseFilter(filter);
  return filter as Filter;
};

/** How a tool call or resource read gets its runtime: one generation of the index for the whole call. */
export type RuntimeAccess = <T>(work: (runtime: RagloomRuntime) => Promise<T>) => Promise<T>;

/** Every call on this runtime as it is (an HTTP request already runs on its own lease). */
export const fixedRuntime =
  (runtime: RagloomRuntime): RuntimeAccess =>
  (work) =>
    work(runtime);

/**
 * Each call on the newest generation another process committed (a long-lived `ragloom mcp` sees later ingests),
 * leased for the call so it never mixes two. A refresh that fails keeps the generation it has.
 */
export const newestRuntime =
  (runtime: RagloomRuntime, onRefreshError: (error: unknown) => void): RuntimeAccess =>
  async (work) => {
    await runtime.indexSet.refresh().catch(onRefreshError);
    const lease = runtime.indexSet.lease();
    try {
      return await work(lease.runtime);
    } finally {
      lease.release();
    }
  };

/**
 * The ragloom MCP server: tools `search` (passages with source, lines/page and score) and `ask` (an answer with
 * numbered citations; extractive when no generator is configured), and the indexed documents as resources
 * (`ragloom://documents/{id}`, listed and read). One server per connection (stdio) or per request (stateless
 * Streamable HTTP); `access` gives each call its runtime.
 */
export function createRagloomMcpServer(access: RuntimeAccess): McpServer {
  const server = new McpServer(
    { name: 'ragloom', title: 'ragloom knowledge base', version: APP_VERSION },
    {
      instructions:
        'Search this knowledge base with `search` (passages with their source and lines) or get a cited answer ' +
        'with `ask`. Cite sources by their label. Documents are resources under ragloom://documents/.',
    },
  );

  server.registerTool(
    'search',
    {
      title: 'Search the knowledge base',
      description:
        'Returns the passages most relevant to the query, best first: each with its source file, lines or page, ' +
        'score and text.',
      inputSchema: {
        query: z.string().trim().min(1).describe('What to search for, in natural language or keywords.'),
        ...retrievalInput,
      },
      outputSchema: { query: z.string(), passages: z.array(passageOutput) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, k, filter }, extra) => {
      try {
        const passages = await access((runtime) =>
          runtime.pipeline.retrieve(query, { k, filter: checkedFilter(filter), signal: extra.signal }),
        );
        const hits = passages.map(passageJson);
        const text =
          hits.length === 0
            ? 'No passages found.'
            : hits
                .map((h) => `[${h.number}] ${h.label} (score ${h.score.toFixed(4)})\n${h.text}`)
                .join('\n\n');
        return { content: [{ type: 'text', text }], structuredContent: { query, passages: hits } };
      } catch (error) {
        return toolError(error);
      }
    },
  );

  server.registerTool(
    'ask',
    {
      title: 'Ask the knowledge base',
      description:
        'Answers a question from the knowledge base with numbered citations [n] to the passages used, each ' +
        'pointing at its source file and lines. Without a configured language model the answer is extractive ' +
        '(quoted sentences).',
      inputSchema: {
        question: z.string().trim().min(1).describe('The question, in natural language.'),
        ...retrievalInput,
      },
      outputSchema: {
        answer: z.string(),
        mode: z.enum(['generated', 'extractive']),
        finish_reason: z.string(),
        citations: z.array(citationOutput),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ question, k, filter }, extra) => {
      try {
        const options = { k, filter: checkedFilter(filter), signal: extra.signal };
        const part = await access(async (runtime) => {
          for await (const part of streamAnswer(runtime, question, options))
            if (part.type === 'finish') return part;
          throw new Error('the answer stream ended without a result');
        });
        const citations = part.citations.map((c) => citationJson(c, part.passages));
        const sources = citations.map((c) => `[${c.number}] ${c.label}`).join('\n');
        return {
          content: [{ type: 'text', text: sources ? `${part.answer}\n\nSources:\n${sources}` : part.answer }],
          structuredContent: {
            answer: part.answer,
            mode: part.mode,
            finish_reason: part.finishReason,
            citations,
          },
        };
      } catch (error) {
        return toolError(error);
      }
    },
  );

  server.registerResource(
    'document',
    new ResourceTemplate(`${DOCUMENT_URI_PREFIX}{id}`, {
      list: async () => ({
        resources: (await access(listSourceDocuments)).map((d) => ({
          uri: documentUri(d.id),
          name: d.id,
          title: d.title ?? d.source,
          description: `${d.source}, ${d.chunks} chunk${d.chunks === 1 ? '' : 's'} in the index`,
          mimeType: mediaType(d.type),
        })),
      }),
    }),
    {
      title: 'Indexed document',
      description: 'A document of the ragloom index, by id: its text as ingested.',
    },
    async (uri, variables) => {
      const raw = Array.isArray(variables.id) ? variables.id.join('/') : (variables.id ?? '');
      let id: string;
      try {
        id = decodeURIComponent(raw);
      } catch {
        throw new McpError(RESOURCE_NOT_FOUND, `resource ${uri.href} is not a valid document URI`);
      }
      try {
        const document = await access((runtime) => readSourceDocument(runtime, id));
        return {
          contents: [
            {
              uri: uri.href,
              mimeType: mediaType(document.type),
              text: document.text,
              _meta: { source: document.source, from: document.from },
            },
          ],
        };
      } catch (error) {
        if (isRagloomError(error, 'NOT_FOUND'))
          throw new McpError(RESOURCE_NOT_FOUND, error.message, { uri: uri.href });
        throw error;
      }
    },
  );

  return server;
}
