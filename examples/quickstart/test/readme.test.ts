// The root README's "In code" example is run as written, and what its comments claim is checked.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@ragloom/test-utils';
import { expect, it } from 'vitest';

it("runs the README's in-code example and gets the answer its comments show", async () => {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## In code'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code, 'the README has a ```ts block under "## In code"').toBeDefined();
  const logged: unknown[] = [];
  // Run it as a module beside this test (so '@ragloom/core' resolves), capturing what it logs.
  const dir = join(import.meta.dirname, '.readme');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'readme-snippet.ts');
  writeFileSync(
    file,
    `const console = { log: (...a: unknown[]) => (globalThis as any).__readmeLog.push(...a) };\n${code}\nexport {};\n`,
  );
  (globalThis as { __readmeLog?: unknown[] }).__readmeLog = logged;
  await import(file);
  expect(logged[0]).toBe('Hybrid search fuses BM25 and dense retrieval. [1]');
  expect(logged[1]).toMatchObject({
    number: 1,
    documentId: 'guide.md',
    start: 9,
    end: 54,
    text: 'Hybrid search fuses BM25 and dense retrieval.',
  });
});
