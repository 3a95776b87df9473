#!/usr/bin/env node
// The two front-door commands (`npm start`, `npm test`) on a machine that has only Node and npm.
// It fetches the pinned pnpm into .tools/ (no global install, no corepack: corepack's signature
// check fails on some offline mirrors), installs the workspace from the lockfile, then runs either
// the demo or the whole check (lint, typecheck, build, test) and prints a test summary.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mode = process.argv[2] ?? 'check';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = pkg.packageManager.replace(/^pnpm@/, '');

const env = {
  ...process.env,
  // onnxruntime-node's optional CUDA download; pnpm skips the script anyway, npm users may not.
  ONNXRUNTIME_NODE_INSTALL: 'skip',
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
  FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0'),
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function must(cmd, args, what) {
  const status = run(cmd, args);
  if (status !== 0) {
    console.error(`\n✖ ${what} failed (exit ${status})`);
    process.exit(status);
  }
}

function pnpmOnPath() {
  const r = spawnSync('pnpm', ['--version'], { env, encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === pnpmVersion;
}

function ensurePnpm() {
  if (pnpmOnPath()) return;
  const prefix = join(root, '.tools', `pnpm-${pnpmVersion}`);
  const bin = join(prefix, 'node_modules', '.bin');
  if (!existsSync(join(bin, 'pnpm'))) {
    console.log(`→ fetching pnpm ${pnpmVersion} into .tools/ (one time)`);
    must(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-package-lock',
        '--loglevel=error',
        `pnpm@${pnpmVersion}`,
      ],
      'installing pnpm',
    );
  }
  env.PATH = `${bin}${delimiter}${env.PATH}`;
}

function summarizeTests() {
  const rows = [];
  const totals = { suites: 0, passed: 0, failed: 0, skipped: 0 };
  for (const group of ['packages', 'apps', 'tooling', 'examples']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const file = join(dir, name, 'test-results', 'vitest.json');
      if (!existsSync(file)) continue;
      const r = JSON.parse(readFileSync(file, 'utf8'));
      const row = {
        package: `${group}/${name}`,
        suites: r.numTotalTestSuites ?? 0,
        passed: r.numPassedTests ?? 0,
        failed: r.numFailedTests ?? 0,
        skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
      };
      rows.push(row);
      for (const k of Object.keys(totals)) totals[k] += row[k];
    }
  }
  if (rows.length === 0) return;
  console.log('\nTest summary (vitest, per package)');
  console.table([...rows, { package: 'TOTAL', ...totals }]);
}

ensurePnpm();
must('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], 'pnpm install');

if (mode === 'check') {
  const started = Date.now();
  // Two tasks at a time: each vitest run is itself parallel, and more only starves two cores into timeouts.
  const concurrency = process.env.RAGLOOM_CONCURRENCY ?? '2';
  const tasks = ['lint', 'typecheck', 'build', 'test'];
  const flags = ['--log-order=grouped', '--continue', `--concurrency=${concurrency}`];
  const status = run('pnpm', ['exec', 'turbo', 'run', ...tasks, ...flags]);
  summarizeTests();
  console.log(
    `\n${status === 0 ? '✔ all checks passed' : '✖ checks failed'} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  process.exit(status);
} else if (mode === 'demo') {
  must('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], 'build');
  process.exit(run('pnpm', ['--filter', 'ragloom', 'start']));
} else {
  console.error(`unknown mode "${mode}" (expected "check" or "demo")`);
  process.exit(2);
}
