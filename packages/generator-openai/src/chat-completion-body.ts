import type { GenerateRequest } from '@ragloom/core';
import type { ParsedOpenAIGeneratorOptions } from './openai-generator-options.js';

/** The JSON body of a chat completions request, built from a validated GenerateRequest. */
export function chatCompletionBody(
  options: ParsedOpenAIGeneratorOptions,
  request: GenerateRequest,
  stream: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...options.extraBody,
    model: options.model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
  };
  if (request.maxTokens !== undefined) body[options.maxTokensField] = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.topK !== undefined) {
    if (options.sendTopK) body.top_k = request.topK;
    else options.onWarning?.(`topK=${request.topK} was not sent: set sendTopK for servers that accept top_k`);
  }
  const stops = request.stop?.filter((s) => s.length > 0) ?? [];
  const serverStops = stops.slice(0, options.maxServerStopSequences);
  if (serverStops.length > 0) body.stop = serverStops;
  Object.assign(body, request.providerOptions?.[options.provider]);
  if (stream) {
    body.stream = true;
    if (options.streamUsage) body.stream_options = { include_usage: true };
  }
  return body;
}
