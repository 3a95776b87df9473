// The README's example is run as written, against a local OpenAI-compatible server that serves the model names
// it uses (core's template generator as `llama3.2`, its hashing encoder as `nomic-embed-text`).
import { join } from 'node:path';
import { createHashingEncoder, createTemplateGenerator } from '@ragloom/core';
import { runReadmeExample, startOpenAICompatibleServer } from '@ragloom/test-utils';
import { expect, test } from 'vitest';

test('the README example runs and prints what its comments say', async () => {
  const server = await startOpenAICompatibleServer({
    chat: createTemplateGenerator({ modelId: 'llama3.2' }),
    embeddings: { ...createHashingEncoder({ dimension: 768 }), modelId: 'nomic-embed-text' },
  });
  try {
    const logged = await runReadmeExample({
      readme: join(import.meta.dirname, '..', 'README.md'),
      heading: '## Example',
      dir: join(import.meta.dirname, '.readme'),
      imports: { '@ragloom/ai-sdk': '../../src/index.js' },
      env: { LLM_BASE_URL: server.baseURL },
    });
    // The local model repeats the prompt, whose passages are numbered, so the answer cites [1].
    expect(logged).toEqual([true, ['guide.md'], true]);
    expect(server.requests.map((r) => r.path)).toContain('/v1/embeddings');
  } finally {
    await server.close();
  }
});
