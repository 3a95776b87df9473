import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RagloomConfigInput } from '../../src/config/config-schema.js';
import type { SetManifest } from '../../src/index-set/set-manifest.js';

export const APP_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(APP_DIR, 'dist', 'cli', 'main.js');
export const FIXTURE_PLUGINS = join(APP_DIR, 'test', 'fixtures', 'plugins');

/** A temp folder with a ragloom config and the given files. */
export function makeProject(
  files: Record<string, string | Uint8Array>,
  config?: RagloomConfigInput | string,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'ragloom-app-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  if (config !== undefined) {
    writeFileSync(
      join(dir, 'ragloom.config.json'),
      typeof config === 'string' ? config : JSON.stringify(config, null, 2),
    );
  }
  return dir;
}

/** Offline setup: BM25 only, extractive answers. */
export const BM25_CONFIG: RagloomConfigInput = {
  retrievers: [{ name: 'bm25', use: '@ragloom/retriever-bm25', options: { analyzer: 'auto' } }],
};

/** Hybrid without model files: core's hashing encoder, the real HNSW index and BM25. */
export const HYBRID_CONFIG: RagloomConfigInput = {
  encoder: { use: '@ragloom/core', options: { dimension: 64 } },
  retrievers: [
    { name: 'bm25', use: '@ragloom/retriever-bm25', options: { analyzer: 'auto' } },
    { name: 'dense', use: '@ragloom/retriever-hnsw' },
  ],
};

export const DOCS = {
  'docs/server.md':
    '# Server\n\nThe server listens on port 8787 by default.\nUse the --port flag to change it.\n\n' +
    '## Keys\n\nSet RAGLOOM_API_KEY to require an API key from every client.\n',
  'docs/ingest.txt':
    'Ingest is incremental.\nUnchanged files are skipped because every file has a content hash.\n' +
    'Deleted files lose their chunks.\n',
  'docs/zh.md': '# 中文\n\n离线时使用 BM25 检索。\n抽取式回答会引用最相关的句子。\n',
};

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `ragloom` binary, as a user would. */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', RAGLOOM_MODELS: undefined, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ragloom ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Where the newest committed generation keeps a member's file (for tests that damage or swap it). */
export function committedFile(dataDir: string, member: string, file: string): string {
  const manifest = newestManifestSync(dataDir);
  const dir = manifest.members[member]?.dir;
  if (!dir) throw new Error(`member ${member} has no files in ${dataDir}`);
  return join(dataDir, 'index-set', ...dir.split('/'), file);
}

/** The ingest state of the newest committed generation, read as a user would (no app code). */
export function committedState(dataDir: string): {
  files: Record<string, unknown>;
  api: Record<string, unknown>;
} {
  const manifest = newestManifestSync(dataDir);
  return JSON.parse(readFileSync(join(dataDir, 'index-set', ...manifest.state.path.split('/')), 'utf8'));
}

function newestManifestSync(dataDir: string): SetManifest {
  const names = readdirSync(join(dataDir, 'index-set'))
    .filter((n) => /^manifest-\d+\.json$/.test(n))
    .sort();
  const newest = names.at(-1);
  if (!newest) throw new Error(`no committed generation in ${dataDir}`);
  return JSON.parse(readFileSync(join(dataDir, 'index-set', newest), 'utf8'));
}
