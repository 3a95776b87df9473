import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGLISH_STOP_WORDS } from '@ragloom/retriever-bm25';
import { titleAndText } from './beir-dataset.js';
import type { Bm25Engine, EngineRun } from './bm25-engines.js';
import type { QueryRun } from './retrieval-run.js';

const RUNNER = fileURLToPath(new URL('../python/xapian_runner.py', import.meta.url));

/** How to get Xapian when it is missing: printed by the bench instead of a row. */
export const XAPIAN_INSTALL_HINT =
  'Xapian rows skipped: no Python with the `xapian` module found ($RAGLOOM_PYTHON if set, else python3 and /usr/bin/python3). ' +
  'Install it with `apt-get install python3-xapian` (Debian/Ubuntu), or point RAGLOOM_PYTHON at a Python that has it.';

/**
 * The first Python that imports `xapian`, with Xapian's version; undefined when there is none.
 * RAGLOOM_PYTHON, when set, is the only one tried (python3 on PATH may be a pyenv or venv Python
 * without Debian's packages, hence /usr/bin/python3 as the second default).
 */
export async function findXapianPython(): Promise<{ python: string; version: string } | undefined> {
  const chosen = process.env.RAGLOOM_PYTHON;
  const candidates = chosen ? [chosen] : ['python3', '/usr/bin/python3'];
  for (const python of candidates) {
    const version = await new Promise<string | undefined>((resolve) => {
      execFile(
        python,
        ['-c', 'import xapian; print(xapian.version_string())'],
        { timeout: 10_000 },
        (error, out) => resolve(error ? undefined : out.trim()),
      );
    });
    if (version) return { python, version };
  }
  return undefined;
}

interface RunnerAnswer {
  version: string;
  indexMs: number;
  passMs: number[];
  run: Record<string, [string, number][]>;
}

/**
 * Xapian through `python/xapian_runner.py`, one child process per measurement: the same documents
 * (title + text) and queries are handed over in a temporary file, and the runner's own timings come back.
 * `backend` 'glass' is Xapian's default on-disk database (in a temporary folder, so the page cache);
 * 'inmemory' is its in-memory backend (deprecated for production use, but the faster of the two here).
 */
export function xapianEngine(python: string, version: string, backend: 'glass' | 'inmemory'): Bm25Engine {
  return {
    name: `Xapian ${version} (${backend}, via Python)`,
    analysis: (language) =>
      language === 'cjk'
        ? 'TermGenerator FLAG_CJK_NGRAM: character unigrams + bigrams'
        : 'TermGenerator words, Lucene stop words, Porter (Stem "porter")',
    async measure({ data, language }, { k, passes, k1, b }): Promise<EngineRun> {
      const folder = await mkdtemp(join(tmpdir(), 'ragloom-bench-xapian-input-'));
      try {
        const input = join(folder, 'input.json');
        await writeFile(
          input,
          JSON.stringify({
            analysis: language,
            backend,
            k,
            k1,
            b,
            passes,
            stopwords: ENGLISH_STOP_WORDS,
            documents: data.corpus.map((d) => [d.id, titleAndText(d)]),
            queries: [...data.queries],
          }),
        );
        const answer = await runPython(python, [RUNNER, input]);
        const parsed = JSON.parse(answer) as RunnerAnswer;
        const run: QueryRun = new Map(
          Object.entries(parsed.run).map(([q, hits]) => [q, hits.map(([id, score]) => ({ id, score }))]),
        );
        return { indexMs: parsed.indexMs, passMs: parsed.passMs, run };
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  };
}

function runPython(python: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`xapian_runner.py exited with ${code}: ${Buffer.concat(err).toString('utf8')}`));
    });
  });
}
