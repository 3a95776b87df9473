import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { blankProject, npmInstall } from './support/blank-project.js';
import { REPO_ROOT, run, toolEnv } from './support/workspace.js';

const TEMPLATE = join(REPO_ROOT, 'examples', 'plugin-template');

/** A consumer that touches each package's public types, so a broken `.d.ts` fails the type-check. */
const CONSUMER = `import { createPipeline, createHashingEncoder, isRagloomError, type RetrieverV1 } from '@ragloom/core';
import { option, parseOptions, type InferOptions } from '@ragloom/core/adapter';
import { createBm25Retriever, ragloomPlugin as bm25Plugin } from '@ragloom/retriever-bm25';
import { createHnswRetriever, type HnswRetriever } from '@ragloom/retriever-hnsw';
import { describeRetrieverConformance } from '@ragloom/conformance';

const sizes = option.object({ size: option.integer({ min: 1 }) });
export const parsed: InferOptions<typeof sizes> = parseOptions(sizes, { size: 3 }, { component: 'consumer' });
export const sparse: RetrieverV1 = createBm25Retriever({ analyzer: 'cjk' });
export const dense: HnswRetriever = createHnswRetriever({ encoderModelId: 'm', dimension: 3, metric: 'cosine' });
export const pipeline = createPipeline({ encoder: createHashingEncoder({ dimension: 8 }), retrievers: [dense] });
export const checks = [isRagloomError, bm25Plugin.name, describeRetrieverConformance] as const;
`;

function tsconfig(resolution: 'node16' | 'bundler') {
  return {
    compilerOptions: {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      target: 'ES2022',
      lib: ['ES2023', 'DOM'],
      types: ['node'],
      ...(resolution === 'node16'
        ? { module: 'node16', moduleResolution: 'node16' }
        : { module: 'esnext', moduleResolution: 'bundler' }),
    },
    include: ['src', 'test', 'consumer.ts'],
  };
}

describe('a third-party plugin project, from the tarballs and the docs alone', () => {
  let project: string;

  beforeAll(() => {
    const tarballs = inject('tarballs');
    project = blankProject(inject('scratch'), 'acme-plugin');
    cpSync(join(TEMPLATE, 'src'), join(project, 'src'), { recursive: true });
    mkdirSync(join(project, 'test'));
    // The template's conformance test as is; its other test uses the monorepo's private test-utils.
    cpSync(join(TEMPLATE, 'test', 'conformance.test.ts'), join(project, 'test', 'conformance.test.ts'));
    writeFileSync(join(project, 'consumer.ts'), CONSUMER);
    for (const resolution of ['node16', 'bundler'] as const) {
      writeFileSync(
        join(project, `tsconfig.${resolution}.json`),
        JSON.stringify(tsconfig(resolution), null, 2),
      );
    }
    const ours = [
      '@ragloom/core',
      '@ragloom/conformance',
      '@ragloom/retriever-bm25',
      '@ragloom/retriever-hnsw',
    ];
    // The tools a plugin author adds, at the versions this repo uses (from the registry or npm's cache).
    npmInstall(project, [
      ...ours.map((name) => tarballs[name]!),
      'vitest@4.1.12',
      'typescript@5.9.3',
      '@types/node@20.19.43',
    ]);
  });

  for (const resolution of ['node16', 'bundler'] as const) {
    it(`type-checks with moduleResolution ${resolution} and skipLibCheck: false`, () => {
      const tsc = run(
        process.execPath,
        ['node_modules/typescript/bin/tsc', '-p', `tsconfig.${resolution}.json`],
        {
          cwd: project,
          allowFailure: true,
        },
      );
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.status).toBe(0);
    });
  }

  it('passes the retriever conformance suite from @ragloom/conformance', () => {
    const vitest = run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=verbose'], {
      cwd: project,
      env: toolEnv({ CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' }),
      allowFailure: true,
    });
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
    const passed = Number(/Tests\s+(\d+) passed/.exec(vitest.stdout)?.[1] ?? 0);
    expect(passed, vitest.stdout).toBeGreaterThanOrEqual(15); // the suite ran, not an empty file
    expect(vitest.stdout).toContain('Retriever conformance: flat (plugin template)');
    expect(vitest.stdout).not.toMatch(/\d+ failed/);
  });
});
