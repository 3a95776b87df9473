import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type ChatMessage, type Filter, type FinishReason, parseFilter, RagloomError } from '@ragloom/core';
import { streamAnswer } from '../runtime/answer-stream.js';
import type { RagloomRuntime } from '../runtime/open-runtime.js';
import { passageJson, ragloomExtension, usageJson } from './citation-json.js';
import { errorResponse } from './http-errors.js';
import { type ChatCompletionRequest, chatCompletionRequestSchema, parseRequest } from './request-schemas.js';
import { openSse } from './sse.js';

const FINISH: Record<FinishReason, string> = {
  stop: 'stop',
  length: 'length',
  'content-filter': 'content_filter',
  error: 'stop',
  other: 'stop',
};

function toChatMessages(request: ChatCompletionRequest): { question: string; history: ChatMessage[] } {
  const messages = request.messages.map((m, i): ChatMessage => {
    const content =
      m.content === null
        ? ''
        : typeof m.content === 'string'
          ? m.content
          : m.content.map((p) => p.text).join('');
    const role = m.role === 'developer' ? 'system' : m.role;
    if (role === 'user' && content.trim() === '' && i === request.messages.length - 1) {
      throw new RagloomError('INVALID_ARGUMENT', `messages[${i}].content: the question is empty`, {
        details: { param: `messages[${i}].content` },
      });
    }
    return { role, content };
  });
  const last = messages[messages.length - 1]!;
  if (last.role !== 'user') {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `messages[${messages.length - 1}].role: the last message must be the user's question`,
      {
        details: { param: `messages[${messages.length - 1}].role` },
      },
    );
  }
  return { question: last.content, history: messages.slice(0, -1) };
}

function retrievalFilter(request: ChatCompletionRequest): Filter | undefined {
  const filter = request.ragloom?.filter as Filter | undefined;
  if (filter !== undefined) parseFilter(filter);
  return filter;
}

/**
 * POST /v1/chat/completions: the last user message is the question, earlier messages are the history. The
 * answer is RAG-augmented; the `ragloom` field (documented in the README) carries the answer mode, the
 * citations ([n] → file and line) and the passages. Streams as OpenAI-style SSE chunks when `stream`.
 */
export async function handleChatCompletions(
  runtime: RagloomRuntime,
  body: unknown,
  res: ServerResponse,
  signal: AbortSignal,
  modelName: string,
): Promise<void> {
  const request = parseRequest(chatCompletionRequestSchema, body);
  const { question, history } = toChatMessages(request);
  const filter = retrievalFilter(request);
  const stop = request.stop === null || request.stop === undefined ? undefined : [request.stop].flat();
  const parts = streamAnswer(runtime, question, {
    history,
    k: request.ragloom?.k,
    filter,
    signal,
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    temperature: request.temperature ?? undefined,
    topP: request.top_p ?? undefined,
    seed: request.seed ?? undefined,
    stop,
  });
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const model = request.model || modelName;

  if (!request.stream) {
    for await (const part of parts) {
      if (part.type !== 'finish') continue;
      const usage = part.usage;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: part.answer, refusal: null },
              logprobs: null,
              finish_reason: FINISH[part.finishReason],
            },
          ],
          usage: usageJson(usage),
          ragloom: ragloomExtension(part),
        }),
      );
      return;
    }
    throw new RagloomError('UPSTREAM_ERROR', 'the answer ended without a result');
  }

  const sse = openSse(res);
  const chunk = (choice: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: choice ? [{ index: 0, logprobs: null, ...choice }] : [],
    ...extra,
  });
  try {
    for await (const part of parts) {
      if (part.type === 'passages') {
        // Sources first, so a UI can show them while the answer streams.
        sse.send(
          chunk(
            { delta: { role: 'assistant', content: '' }, finish_reason: null },
            { ragloom: { mode: part.mode, passages: part.passages.map(passageJson) } },
          ),
        );
      } else if (part.type === 'text-delta') {
        sse.send(chunk({ delta: { content: part.delta }, finish_reason: null }));
      } else {
        sse.send(
          chunk({ delta: {}, finish_reason: FINISH[part.finishReason] }, { ragloom: ragloomExtension(part) }),
        );
        if (request.stream_options?.include_usage) {
          sse.send(chunk(undefined, { usage: usageJson(part.usage) }));
        }
      }
    }
    sse.done();
  } catch (error) {
    // Headers are gone: report the error in the stream, as OpenAI does, and end it.
    if (!sse.closed) sse.send(errorResponse(error).body);
    sse.end();
    if (signal.aborted) return;
    throw error;
  }
}
