import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, inject, it } from 'vitest';
import { blankProject, folderBytes, installedPackages, npmInstall } from './support/blank-project.js';
import { publishedPackages, run, toolEnv } from './support/workspace.js';

/**
 * What core + bm25 + hnsw + onnx-model + encoder-onnx may weigh installed. onnxruntime-node is ~288 MB of it
 * (CPU binaries for six platforms, in its own package); the budget is there so nothing else grows unseen.
 */
const ONNX_INSTALL_BUDGET_BYTES = 320_000_000;

const EMBED = `import { createOnnxEncoder } from '@ragloom/encoder-onnx';
const encoder = await createOnnxEncoder({ model: process.env.MODEL_DIR });
const { embeddings } = await encoder.embed({ texts: ['what is RAG?', 'retrieval-augmented generation'], inputType: 'query' });
console.log(JSON.stringify({ modelId: encoder.modelId, dimension: encoder.dimension, lengths: embeddings.map((e) => e.length) }));
await encoder.close();
`;

describe('installs a user makes, from the tarballs, offline-safe', () => {
  it(`the ONNX path installs with ONNXRUNTIME_NODE_INSTALL=skip within ${ONNX_INSTALL_BUDGET_BYTES / 1e6} MB and embeds on the CPU`, () => {
    const tarballs = inject('tarballs');
    const project = blankProject(inject('scratch'), 'onnx-app');
    const names = [
      '@ragloom/core',
      '@ragloom/retriever-bm25',
      '@ragloom/retriever-hnsw',
      '@ragloom/onnx-model',
      '@ragloom/encoder-onnx',
    ];
    npmInstall(
      project,
      names.map((n) => tarballs[n]!),
    );
    const installed = installedPackages(project);
    const bytes = folderBytes(join(project, 'node_modules'));
    const runtime = folderBytes(installed.get('onnxruntime-node')!);
    console.log(
      `core + bm25 + hnsw + onnx-model + encoder-onnx installed: ${bytes} bytes (onnxruntime-node ${runtime})`,
    );
    expect(bytes).toBeLessThanOrEqual(ONNX_INSTALL_BUDGET_BYTES);
    writeFileSync(join(project, 'embed.js'), EMBED);
    const embed = run(process.execPath, ['embed.js'], {
      cwd: project,
      env: toolEnv({ MODEL_DIR: assetPath('models', 'bow-bert-128') }),
    });
    const result = JSON.parse(embed.stdout) as { dimension: number; lengths: number[] };
    expect(result.dimension).toBeGreaterThan(0);
    expect(result.lengths).toEqual([result.dimension, result.dimension]);
  });

  it('`npx ragloom --help` and `npx ragloom demo` work in a blank folder with the app installed from its tarball', () => {
    const tarballs = inject('tarballs');
    const project = blankProject(inject('scratch'), 'cli-user');
    // npm would fetch the @ragloom/* dependencies from the registry; here they come from their tarballs too.
    const ours = publishedPackages().filter((p) => p.name !== '@ragloom/conformance');
    npmInstall(
      project,
      ours.map((p) => tarballs[p.name]!),
    );
    const help = run('npx', ['--no-install', 'ragloom', '--help'], { cwd: project, env: toolEnv() });
    expect(help.stdout).toContain('Usage: ragloom');
    for (const command of ['init', 'ingest', 'ask', 'serve', 'doctor', 'demo'])
      expect(help.stdout).toContain(command);
    const tmp = mkdtempSync(join(inject('scratch'), 'cli-tmp-'));
    const demo = run(
      'npx',
      ['--no-install', 'ragloom', 'demo', '--question', 'How do I require an API key for the server?'],
      {
        cwd: project,
        env: toolEnv({ HF_HUB_OFFLINE: '1', TMPDIR: tmp, RAGLOOM_MODELS: '', NO_COLOR: '1' }),
        timeoutMs: 300_000,
      },
    );
    expect(demo.stdout).toContain('mode: offline');
    expect(demo.stdout).toContain('set the RAGLOOM_API_KEY environment variable');
    expect(demo.stdout).toMatch(/\[1\] corpus\/[\w-]+\.(md|html):\d+/);
    expect(demo.stderr).toContain('ingested the sample docs');
  });
});
