import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { findSocketErrorCode } from '@ragloom/core/adapter';
import { closedPort, type RagloomErrorShape, rejectionOf } from '@ragloom/test-utils';
import { beforeAll, describe, expect, test } from 'vitest';
import { createLangChainEncoder, createLangChainGenerator, toRagloomError } from '../src/index.js';

const context = { component: 'ChatOpenAI', operation: 'chat generation' };
let baseURL: string;
beforeAll(async () => {
  baseURL = `http://127.0.0.1:${await closedPort()}/v1`;
});

const chatModel = () =>
  new ChatOpenAI({ model: 'm', apiKey: 'k', configuration: { baseURL }, maxRetries: 0 });
const embeddings = () =>
  new OpenAIEmbeddings({ model: 'e', apiKey: 'k', configuration: { baseURL }, maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'hi' }];

/** What LangChain itself throws for a call, unmapped. */
const thrownBy = (call: () => Promise<unknown>) =>
  call().then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );

describe('a refused connection is CONNECTION_ERROR, found by its socket code (findSocketErrorCode)', () => {
  test('what LangChain really throws carries ECONNREFUSED in its cause chain, not in its message', async () => {
    const raw = await thrownBy(() => chatModel().invoke('hi'));
    expect(findSocketErrorCode(raw)).toBe('ECONNREFUSED');
    expect(String((raw as Error).message)).not.toContain('ECONNREFUSED');
    const mapped = toRagloomError(raw, context);
    expect(mapped).toMatchObject({
      code: 'CONNECTION_ERROR',
      retryable: true,
      details: { socketCode: 'ECONNREFUSED' },
    });
    expect(mapped.message).toContain(
      'ChatOpenAI chat generation could not reach the model server (ECONNREFUSED)',
    );
  });

  test('generate, stream and embed against a closed 127.0.0.1 port all say so', async () => {
    const generator = createLangChainGenerator({ model: chatModel(), modelId: 'openai:m' });
    const encoder = createLangChainEncoder({ embeddings: embeddings(), dimension: 4, modelId: 'openai:e' });
    const failures: RagloomErrorShape[] = [
      await rejectionOf(generator.generate({ messages })),
      await rejectionOf(
        (async () => {
          for await (const _ of generator.stream({ messages })) {
            // nothing arrives
          }
        })(),
      ),
      await rejectionOf(encoder.embed({ texts: ['x'], inputType: 'query' })),
    ];
    for (const error of failures) {
      expect(error).toMatchObject({
        code: 'CONNECTION_ERROR',
        retryable: true,
        details: { socketCode: 'ECONNREFUSED' },
      });
    }
  });

  test('the words of a message alone are not a socket error: a model may say "connection refused"', () => {
    const said = new Error('The tool returned: ECONNREFUSED while fetching the page (Connection error)');
    expect(toRagloomError(said, context).code).toBe('UPSTREAM_ERROR');
    const coded = new Error('Connection error.', {
      cause: new TypeError('fetch failed', {
        cause: Object.assign(new Error('read'), { code: 'ECONNRESET' }),
      }),
    });
    expect(toRagloomError(coded, context)).toMatchObject({
      code: 'CONNECTION_ERROR',
      details: { socketCode: 'ECONNRESET' },
    });
  });
});
