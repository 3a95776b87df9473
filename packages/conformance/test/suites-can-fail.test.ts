// A conformance suite that cannot fail proves nothing. Each broken twin in test/fixtures runs the real
// suite in a child vitest; here we check that exactly the tests aimed at its defect fail.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

interface AssertionResult {
  ancestorTitles: string[];
  title: string;
  status: 'passed' | 'failed' | 'pending' | 'skipped';
}

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
let results: AssertionResult[] = [];

beforeAll(() => {
  const require = createRequire(import.meta.url);
  const vitestBin = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
  const outputFile = join(mkdtempSync(join(tmpdir(), 'ragloom-conformance-')), 'report.json');
  const child = spawnSync(
    process.execPath,
    [
      vitestBin,
      'run',
      '--config',
      'test/fixtures/vitest.config.ts',
      '--reporter=json',
      `--outputFile=${outputFile}`,
    ],
    { cwd: packageDir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } },
  );
  expect(child.status, 'the broken twins must make the child run fail').not.toBe(0);
  const report = JSON.parse(readFileSync(outputFile, 'utf8')) as {
    testResults: { assertionResults: AssertionResult[] }[];
  };
  results = report.testResults.flatMap((file) => file.assertionResults);
}, 300_000);

function outcome(suite: string) {
  const mine = results.filter((r) => r.ancestorTitles.some((t) => t.includes(`: ${suite}`)));
  return {
    failed: mine
      .filter((r) => r.status === 'failed')
      .map((r) => r.title)
      .sort(),
    passed: mine.filter((r) => r.status === 'passed').map((r) => r.title),
  };
}

const cases: [suite: string, mustFail: string[]][] = [
  ['ignores-filters', ['filter-operators', 'filtered-top-k', 'upsert-replaces']],
  ['unsorted-scores', ['scores-sorted', 'stable-ties', 'filtered-top-k', 'metric-scores']],
  ['upsert-keeps-old', ['upsert-replaces']],
  ['ignores-manifest', ['manifest-mismatch']],
  ['shared-search-request', ['concurrent-searches']],
  ['torn-upsert', ['search-during-upsert']],
  ['replace-leaves-gap', ['search-during-upsert']],
  ['delete-rebuilds', ['search-during-delete']],
  ['compaction-rebuilds', ['search-during-compaction']],
  ['save-without-persistence', ['persistence-contract']],
  ['reads-inherited-fields', ['filter-operators']],
  ['claims-normalized', ['normalization']],
  ['batch-dependent', ['batch-equals-single']],
  ['shared-input-buffer', ['concurrent-equals-sequential', 'concurrent-abort-isolated']],
  ['one-abort-cancels-all', ['concurrent-abort-isolated']],
  ['ignores-max-tokens', ['max-tokens']],
  ['stream-differs', ['stream-equals-generate']],
  ['ignores-abort', ['abort-before-start', 'abort-mid-stream']],
  ['shared-request-state', ['concurrent-equals-sequential', 'concurrent-abort-isolated']],
  ['shared-random-stream', ['concurrent-seeded-sampling']],
  ['one-abort-stops-all', ['concurrent-abort-isolated']],
  ['input-order', ['permutation-sorted']],
  ['shared-score-buffer', ['concurrent-equals-sequential']],
  ['wrong-spec-version', ['plugin-shape']],
  ['ignores-unknown-options', ['unknown-option']],
  ['create-skips-check', ['create-checks-options']],
  ['builds-wrong-kind', ['builds-component']],
];

describe('each conformance suite fails on a deliberately broken implementation', () => {
  it.each(cases)('%s fails %j', (suite, mustFail) => {
    const { failed, passed } = outcome(suite);
    for (const name of mustFail) expect(failed, `${suite} should fail "${name}"`).toContain(name);
    // The failures are aimed: most of the suite still passes for a single defect.
    expect(passed.length, `${suite}: unrelated tests keep passing`).toBeGreaterThan(failed.length);
  });
});
