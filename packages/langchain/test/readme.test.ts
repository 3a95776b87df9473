// The README's example is run as written, with ChatOpenAI pointed at a local OpenAI-compatible server whose
// `gpt-4o-mini` is core's template generator (it repeats its prompt, so the answer cites the context's [1]).
import { join } from 'node:path';
import { createTemplateGenerator } from '@ragloom/core';
import { runReadmeExample, startOpenAICompatibleServer } from '@ragloom/test-utils';
import { expect, test } from 'vitest';

test('the README example runs an LCEL chain over a ragloom index and prints what its comments say', async () => {
  const server = await startOpenAICompatibleServer({
    chat: createTemplateGenerator({ modelId: 'gpt-4o-mini' }),
  });
  try {
    const logged = await runReadmeExample({
      readme: join(import.meta.dirname, '..', 'README.md'),
      heading: '## Example',
      dir: join(import.meta.dirname, '.readme'),
      imports: { '@ragloom/langchain': '../../src/index.js' },
      env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-readme' },
    });
    expect(logged).toEqual(['docs/guide.md', 'guide.md']);
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/chat/completions']);
  } finally {
    await server.close();
  }
});
