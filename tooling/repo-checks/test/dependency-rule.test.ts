/**
 * The dependency rule over the real workspace (as unstorage's driver-dependencies test does for its drivers),
 * and the check itself against packages that break it, so a check that never finds anything cannot pass.
 */
import { repoRoot } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import {
  dependencyViolations,
  packageOfSpecifier,
  readWorkspacePackages,
  type WorkspacePackage,
} from '../src/index.js';

const pkg = (
  name: string,
  runtimeDependencies: string[],
  imports: Record<string, string> = {},
): WorkspacePackage => ({
  name,
  runtimeDependencies,
  imports: new Map(Object.entries(imports)),
});

describe('the workspace', () => {
  const packages = readWorkspacePackages(repoRoot());

  it('finds the adapters and the shared bases', () => {
    const names = packages.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        '@ragloom/core',
        '@ragloom/onnx-model',
        '@ragloom/openai-compatible',
        '@ragloom/encoder-openai',
        '@ragloom/generator-onnx',
        '@ragloom/retriever-qdrant',
      ]),
    );
    // The scan sees real imports (a scan that reads nothing would pass the rule trivially).
    const encoder = packages.find((p) => p.name === '@ragloom/encoder-openai')!;
    expect([...encoder.imports.keys()]).toEqual(
      expect.arrayContaining(['@ragloom/core', '@ragloom/openai-compatible']),
    );
  });

  it('keeps the dependency rule: adapters depend on core, their vendor library and their family base only', () => {
    const violations = dependencyViolations(packages);
    expect(violations.map((v) => `${v.package} → ${v.dependency}: ${v.reason}`)).toEqual([]);
  });
});

describe('the check', () => {
  it('fails when an adapter depends on or imports another adapter', () => {
    expect(
      dependencyViolations([
        pkg('@ragloom/retriever-hnsw', ['@ragloom/core', '@ragloom/encoder-onnx'], {
          '@ragloom/core': 'src/a.ts',
          '@ragloom/encoder-onnx': 'src/b.ts',
        }),
      ]),
    ).toEqual([
      {
        package: '@ragloom/retriever-hnsw',
        dependency: '@ragloom/encoder-onnx',
        reason: expect.stringContaining('another adapter'),
      },
    ]);
    // Imported without being declared (it happens to be installed in the workspace): caught too.
    const undeclared = dependencyViolations([
      pkg('@ragloom/reranker-onnx', ['@ragloom/core'], { '@ragloom/retriever-bm25': 'src/x.ts' }),
    ]);
    expect(undeclared).toHaveLength(1);
    expect(undeclared[0]!.reason).toContain('src/x.ts imports it');
  });

  it("allows a family's own base only, keeps the bases on core, and core on nothing", () => {
    expect(
      dependencyViolations([
        pkg('@ragloom/encoder-onnx', ['@ragloom/core', '@ragloom/onnx-model', 'onnxruntime-node']),
        pkg('@ragloom/generator-openai', ['@ragloom/core', '@ragloom/openai-compatible']),
        pkg('@ragloom/onnx-model', ['@ragloom/core', 'onnxruntime-node']),
        pkg('@ragloom/core', ['stemmer']),
        // Not adapters: free to compose.
        pkg('ragloom', ['@ragloom/encoder-onnx', '@ragloom/retriever-hnsw']),
        pkg('@ragloom/conformance', ['@ragloom/core']),
      ]),
    ).toEqual([]);
    const wrong = dependencyViolations([
      pkg('@ragloom/encoder-openai', ['@ragloom/core', '@ragloom/onnx-model']),
      pkg('@ragloom/openai-compatible', ['@ragloom/core', '@ragloom/encoder-openai']),
      pkg('@ragloom/core', ['@ragloom/conformance']),
    ]);
    expect(wrong.map((v) => [v.package, v.dependency])).toEqual([
      ['@ragloom/encoder-openai', '@ragloom/onnx-model'],
      ['@ragloom/openai-compatible', '@ragloom/encoder-openai'],
      ['@ragloom/core', '@ragloom/conformance'],
    ]);
    expect(wrong[0]!.reason).toContain("another family's base");
  });

  it('reads package names from import specifiers', () => {
    expect(packageOfSpecifier('@ragloom/core/adapter')).toBe('@ragloom/core');
    expect(packageOfSpecifier('onnxruntime-node')).toBe('onnxruntime-node');
    expect(packageOfSpecifier('zod/v4')).toBe('zod');
    expect(packageOfSpecifier('./local.js')).toBeUndefined();
    expect(packageOfSpecifier('node:fs')).toBeUndefined();
    expect(packageOfSpecifier('fs/promises')).toBeUndefined();
  });
});
