import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../src/cli/program.js';
import { loadConfig } from '../src/config/config-file.js';
import { openRuntime } from '../src/runtime/open-runtime.js';
import { createRagloomServer } from '../src/server/create-server.js';
import {
  BM25_CONFIG,
  CLI,
  committedFile,
  committedState,
  DOCS,
  FIXTURE_PLUGINS,
  HYBRID_CONFIG,
  makeProject,
  runCli,
} from './helpers/project.js';

const COMMANDS = ['init', 'ingest', 'query', 'ask', 'chat', 'serve', 'export', 'import', 'doctor', 'demo'];

describe('the ragloom binary', () => {
  it('explains itself: --help, and a clear help for every command', async () => {
    const dir = makeProject({});
    const [top, ingestHelp, unknown] = await Promise.all([
      runCli(['--help'], { cwd: dir }),
      runCli(['ingest', '--help'], { cwd: dir }),
      runCli(['frobnicate'], { cwd: dir }),
    ]);
    expect(top.code).toBe(0);
    for (const command of COMMANDS) expect(top.stdout).toContain(command);
    expect(top.stdout).toContain('RAGLOOM_MODELS');
    expect(ingestHelp.code).toBe(0);
    expect(ingestHelp.stdout).toContain('Usage: ragloom ingest [options] <paths...>');
    expect(ingestHelp.stdout).toContain('Ctrl-C keeps the last checkpoint');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    // Every subcommand's help (same program object the binary runs), without a process each.
    const program = createProgram();
    for (const name of COMMANDS) {
      const command = program.commands.find((c) => c.name() === name);
      expect(command, name).toBeDefined();
      const help = command!.helpInformation();
      expect(help, name).toContain(`Usage: ragloom ${name}`);
      expect(command!.description().length, name).toBeGreaterThan(20);
    }
    expect(program.commands.find((c) => c.name() === 'serve')!.helpInformation()).toContain('--port');
  });

  it('init, ingest, query, ask and chat on a folder of documents (offline: BM25 + extractive)', async () => {
    const dir = makeProject({ ...DOCS, 'docs/blob.txt': new Uint8Array([0, 1, 2, 3]) });
    const init = await runCli(['init', '--preset', 'offline'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(readFileSync(join(dir, 'ragloom.config.json'), 'utf8')).toContain('// ragloom configuration');
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists; pass --force');

    const ingest = await runCli(['ingest', 'docs'], { cwd: dir });
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stderr).toContain('warning skipped docs/blob.txt: it looks binary');
    expect(ingest.stdout).toContain('files: 3 new, 0 changed, 0 unchanged, 0 removed, 1 skipped');
    const noop = await runCli(['ingest', 'docs'], { cwd: dir });
    expect(noop.stdout).toContain('0 new, 0 changed, 3 unchanged');

    // Read-only commands on the same index, side by side.
    const [query, ask, askJson, chat, doctor] = await Promise.all([
      runCli(['query', 'server port', '--json', '-k', '2'], { cwd: dir }),
      runCli(['ask', 'Which variable requires an API key?'], { cwd: dir }),
      runCli(['ask', '离线时用什么检索？', '--json'], { cwd: dir }),
      runCli(['chat'], {
        cwd: dir,
        input: 'What port does the server use?\n/help\n/hepl\n/clear\nAre deleted files kept?\n/exit\n',
      }),
      runCli(['doctor'], { cwd: dir }),
    ]);
    expect(query.code, query.stderr).toBe(0);
    const hits = JSON.parse(query.stdout).hits;
    expect(hits.length).toBeGreaterThanOrEqual(1);
    expect(hits[0]).toMatchObject({ number: 1, source: 'docs/server.md' });
    expect(hits[0].line).toBeGreaterThan(0);

    expect(ask.code, ask.stderr).toBe(0);
    expect(ask.stderr).toContain('answer: extractive');
    expect(ask.stdout).toContain('Set RAGLOOM_API_KEY to require an API key from every client. [1]');
    expect(ask.stdout).toMatch(/Sources\n {2}\[1\] docs\/server\.md:8 /);

    const json = JSON.parse(askJson.stdout);
    expect(json.mode).toBe('extractive');
    expect(json.citations[0]).toMatchObject({
      source: 'docs/zh.md',
      line: 3,
      text: '离线时使用 BM25 检索。',
    });

    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toContain('The server listens on port 8787 by default. [1]');
    expect(chat.stdout).toContain('(conversation cleared)');
    expect(chat.stdout).toContain('Deleted files lose their chunks. [1]');
    // Commands are never sent as questions: two questions, two answers; a typo gets the list of commands.
    expect(chat.stdout.match(/ragloom › /g)).toHaveLength(2);
    expect(chat.stdout).toContain('  /clear   forget the conversation');
    expect(chat.stdout).toContain('unknown command /hepl\nCommands:');

    expect(doctor.code, doctor.stdout).toBe(0);
    expect(doctor.stdout).toContain('✔ index bm25: ');
    expect(doctor.stdout).toContain('no problems found');
  });

  it('answers extractively alike on the CLI and the server, limits included, in one JSON naming', async () => {
    // The config's generation limits cut the extractive answer: core applies them for every caller.
    const dir = makeProject(DOCS, { ...BM25_CONFIG, generation: { maxTokens: 9, stop: ['by default'] } });
    expect((await runCli(['ingest', 'docs'], { cwd: dir })).code).toBe(0);
    const questions = ['Which port does the server listen on?', 'Which variable requires an API key?'];
    const runtime = await openRuntime(await loadConfig({ cwd: dir, env: {} }), { generator: true });
    const server = createRagloomServer(runtime, {});
    const url = await server.listen(0, '127.0.0.1');
    try {
      for (const question of questions) {
        const cli = await runCli(['ask', question, '--json'], { cwd: dir });
        expect(cli.code, cli.stderr).toBe(0);
        const fromCli = JSON.parse(cli.stdout);
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'ragloom', messages: [{ role: 'user', content: question }] }),
        });
        const completion = (await response.json()) as {
          choices: { message: { content: string }; finish_reason: string }[];
          usage: unknown;
          ragloom: Record<string, unknown>;
        };
        expect(completion.choices[0]!.message.content, question).toBe(fromCli.answer);
        expect(completion.choices[0]!.finish_reason).toBe(fromCli.finish_reason);
        expect(completion.usage).toEqual(fromCli.usage);
        const { question: _q, answer: _a, finish_reason: _f, usage: _u, ...extension } = fromCli;
        expect(completion.ragloom).toEqual(extension);
      }
      const first = JSON.parse((await runCli(['ask', questions[0]!, '--json'], { cwd: dir })).stdout);
      expect(first).toMatchObject({
        answer: 'The server listens on port 8787 ',
        finish_reason: 'stop',
        outcome: 'answered',
      });
      expect(first.citations).toEqual([]); // its marker fell after the stop sequence
      const second = JSON.parse((await runCli(['ask', questions[1]!, '--json'], { cwd: dir })).stdout);
      expect(second.finish_reason).toBe('length');
      expect(second.answer.split(' ')).toHaveLength(9);
    } finally {
      await server.close(100);
      await runtime.close();
    }
  });

  it('chat keeps the conversation for the generator, and /clear forgets it', async () => {
    const dir = makeProject(DOCS, {
      ...HYBRID_CONFIG,
      generator: {
        use: join(FIXTURE_PLUGINS, 'slow-generator.mjs'),
        options: { tokenDelayMs: 0, countTurns: true },
      },
    });
    // The generator is a fixture loaded by module path: code the user trusts.
    const env = { RAGLOOM_TRUST_CONFIG: '1' };
    expect((await runCli(['ingest', 'docs'], { cwd: dir, env })).code).toBe(0);
    const chat = await runCli(['chat'], {
      cwd: dir,
      env,
      input: 'What port does the server use?\nAnd how do I change it?\n/clear\nWhat is ingest?\n',
    });
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stderr).toContain('answer: generated by test/slow-template');
    const answers = chat.stdout.match(/This conversation has \d+ questions so far/g);
    expect(answers).toEqual([
      'This conversation has 1 questions so far',
      'This conversation has 2 questions so far',
      'This conversation has 1 questions so far',
    ]);
    expect(chat.stdout).toMatch(/Sources\n {2}\[1\] docs\//);
  });

  it('serve starts the server, needs the key from RAGLOOM_API_KEY, and stops gracefully on Ctrl-C', async () => {
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    expect((await runCli(['ingest', 'docs'], { cwd: dir })).code).toBe(0);
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', RAGLOOM_API_KEY: 'k-123' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /serving on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const health = (await (await fetch(`${url}/healthz`)).json()) as { mode: { retrieval: string } };
    expect(health.mode.retrieval).toBe('hybrid: bm25 + dense (hnsw, ragloom/hashing-64), fused by RRF');
    const search = (body: string, key?: string) =>
      fetch(`${url}/search`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      });
    expect((await search('{"query":"port"}')).status).toBe(401);
    const ok = await search('{"query":"port"}', 'k-123');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { hits: { source: string }[] }).hits[0]!.source).toBe('docs/server.md');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toContain('API key required (from $RAGLOOM_API_KEY)');
    expect(stderr).toContain('shutting down: finishing running requests');
    expect(stderr).toContain('stopped');
  });

  it('moves an index to another retriever with export and import, and refuses a cut-off dump', async () => {
    const source = makeProject(DOCS, HYBRID_CONFIG);
    expect((await runCli(['ingest', 'docs'], { cwd: source })).code).toBe(0);
    const exported = await runCli(['export', '--retriever', 'dense', '--out', 'dense.jsonl'], {
      cwd: source,
    });
    expect(exported.code, exported.stderr).toBe(0);
    const dump = readFileSync(join(source, 'dense.jsonl'), 'utf8').trimEnd().split('\n');
    expect(JSON.parse(dump[0]!)).toMatchObject({
      format: 'ragloom-index-dump',
      manifest: { kind: 'dense', dimension: 64 },
    });

    // Into the plugin template's flat index, the way a user moves HNSW to another backend.
    const target = makeProject(
      {},
      { ...HYBRID_CONFIG, retrievers: [{ name: 'flat', use: 'ragloom-plugin-template' }] },
    );
    const imported = await runCli(['import', join(source, 'dense.jsonl')], { cwd: target });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain(`the flat index now holds ${dump.length - 2} records`);
    // doctor right after import counts the imported chunks instead of saying nothing was ingested.
    const doctor = await runCli(['doctor'], { cwd: target });
    expect(doctor.stdout).not.toContain('nothing ingested yet');
    expect(doctor.stdout).toContain(`${dump.length - 2} chunks imported or sent over HTTP`);
    const a = JSON.parse((await runCli(['query', 'port number', '--json'], { cwd: source })).stdout).hits;
    const b = JSON.parse((await runCli(['query', 'port number', '--json'], { cwd: target })).stdout).hits;
    expect(b[0].id).toBe(
      a.find((h: { retrievers: { retriever: string }[] }) =>
        h.retrievers.some((r) => r.retriever === 'dense'),
      )?.id ?? b[0].id,
    );
    expect(b.map((h: { id: string }) => h.id)).toContain('docs/server.md#0');

    // Straight from one configured retriever into another: add the flat index beside HNSW and copy.
    const config = JSON.parse(readFileSync(join(source, 'ragloom.config.json'), 'utf8'));
    config.retrievers.push({ name: 'flat', use: 'ragloom-plugin-template' });
    writeFileSync(join(source, 'ragloom.config.json'), JSON.stringify(config));
    const copied = await runCli(['export', '--retriever', 'dense', '--to', 'flat'], { cwd: source });
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stderr).toContain(`copied ${dump.length - 2} records from dense to flat`);

    writeFileSync(join(source, 'cut.jsonl'), `${dump.slice(0, -2).join('\n')}\n`);
    const cut = await runCli(['import', join(source, 'cut.jsonl')], { cwd: target });
    expect(cut.code).toBe(1);
    expect(cut.stderr).toContain('error [INDEX_CORRUPT]');
    expect(cut.stderr).toContain('the end marker is missing');
  });

  it('fails clearly on a missing config, unknown plugin, wrong spec version and an encoder/index mismatch', async () => {
    const empty = makeProject({});
    const missing = await runCli(['query', 'x'], { cwd: empty });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error [INVALID_CONFIG] no ragloom config');
    expect(missing.stderr).toContain('ragloom init');

    const unknown = makeProject({}, { retrievers: [{ name: 'x', use: 'ragloom-retriever-nonexistent' }] });
    const u = await runCli(['query', 'x'], { cwd: unknown });
    expect(u.code).toBe(1);
    expect(u.stderr).toContain(
      'error [PLUGIN_ERROR] cannot find the plugin package "ragloom-retriever-nonexistent"',
    );

    const wrong = makeProject(
      {},
      { retrievers: [{ name: 'x', use: join(FIXTURE_PLUGINS, 'wrong-version') }] },
    );
    const w = await runCli(['--trust-config', 'query', 'x'], { cwd: wrong });
    expect(w.code).toBe(1);
    expect(w.stderr).toContain('declares specificationVersion "v2", but this ragloom supports "v1"');
    const doctor = await runCli(['doctor', '--trust-config'], { cwd: wrong });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain('✖ retrievers[0] (x):');

    // What npm leaves when onnxruntime-node's install script fails offline: an ONNX plugin whose runtime is gone.
    const noRuntime = makeProject(
      {
        'node_modules/acme-encoder-onnx/package.json': JSON.stringify({
          name: 'acme-encoder-onnx',
          version: '1.0.0',
          type: 'module',
          exports: './index.js',
          dependencies: { 'onnxruntime-node': '1.30.0' },
        }),
        'node_modules/acme-encoder-onnx/index.js': "export { InferenceSession } from 'onnxruntime-node';\n",
      },
      {
        encoder: { use: 'acme-encoder-onnx' },
        retrievers: [{ name: 'bm25', use: '@ragloom/retriever-bm25' }],
      },
    );
    const broken = await runCli(['doctor'], { cwd: noRuntime });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('✖ encoder: cannot import plugin "acme-encoder-onnx"');
    expect(broken.stdout).toContain('ONNXRUNTIME_NODE_INSTALL=skip npm install acme-encoder-onnx');

    const mismatch = makeProject(DOCS, HYBRID_CONFIG);
    expect((await runCli(['ingest', 'docs'], { cwd: mismatch })).code).toBe(0);
    const config = JSON.parse(readFileSync(join(mismatch, 'ragloom.config.json'), 'utf8'));
    config.encoder.options.dimension = 128;
    writeFileSync(join(mismatch, 'ragloom.config.json'), JSON.stringify(config));
    const m = await runCli(['ask', 'port?'], { cwd: mismatch });
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('error [MANIFEST_MISMATCH]');
    expect(m.stderr).toContain('ragloom/hashing-64');
    expect(m.stderr).toContain('fix: the index was built with another encoder');
    const fixed = await runCli(['ingest', '--rebuild', 'docs'], { cwd: mismatch });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await runCli(['ask', 'port?'], { cwd: mismatch })).code).toBe(0);

    writeFileSync(committedFile(join(mismatch, '.ragloom'), 'bm25', 'bm25.index'), 'garbage');
    const corrupt = await runCli(['query', 'port'], { cwd: mismatch });
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain('error [INDEX_CORRUPT]');
    expect(corrupt.stderr).toContain('fix: the index files are damaged or from an incompatible version');
  });

  it('evaluates on a tiny BEIR folder and a SQuAD file and writes the reports', async () => {
    const beir = {
      'beir/corpus.jsonl': [
        { _id: 'd1', title: 'Solar power', text: 'Solar panels on the roof turn sunlight into electricity.' },
        { _id: 'd2', title: 'Rivers', text: 'Salmon migrate up the river to spawn every autumn.' },
        { _id: 'd3', title: 'Bread', text: 'Sourdough bread rises slowly because of wild yeast.' },
        { _id: 'd4', title: 'Trains', text: 'Night trains connect the capital with the coast.' },
      ]
        .map((d) => JSON.stringify(d))
        .join('\n'),
      'beir/queries.jsonl': [
        { _id: 'q1', text: 'solar panels roof electricity' },
        { _id: 'q2', text: 'salmon river migration' },
        { _id: 'q3', text: 'quantum chromodynamics' },
      ]
        .map((q) => JSON.stringify(q))
        .join('\n'),
      'beir/qrels/test.tsv': 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td3\t1\n',
      'squad.json': JSON.stringify({
        version: 'v2.0',
        data: [
          {
            title: 'Ports',
            paragraphs: [
              {
                context: 'The ragloom server listens on port 8787 by default. Clients send an API key.',
                qas: [
                  {
                    id: 'a1',
                    question: 'Which port does the ragloom server listen on?',
                    answers: [{ text: '8787', answer_start: 36 }],
                    is_impossible: false,
                  },
                ],
              },
              {
                context: 'Sourdough bread rises slowly because of wild yeast in the starter.',
                qas: [
                  {
                    id: 'a2',
                    question: 'Why does sourdough bread rise slowly?',
                    answers: [{ text: 'because of wild yeast', answer_start: 30 }],
                    is_impossible: false,
                  },
                ],
              },
            ],
          },
        ],
      }),
    };
    const dir = makeProject(beir, { retrievers: [{ name: 'bm25', use: '@ragloom/retriever-bm25' }] });
    const [retrieval, qa] = await Promise.all([
      runCli(['eval', 'beir', '--out', 'out-beir'], { cwd: dir }),
      runCli(['eval', 'squad.json', '--out', 'out-squad'], { cwd: dir }),
    ]);
    expect(retrieval.code, retrieval.stderr).toBe(0);
    // q1 and q2 find their document first, q3 shares no word with any: nDCG@10 = (1 + 1 + 0) / 3.
    expect(retrieval.stdout).toMatch(
      /bm25\s+ndcg@10 0\.6667 {2}recall@100 0\.6667 {2}mrr@10 0\.6667 {2}\(3 queries\)/,
    );
    const report = JSON.parse(readFileSync(join(dir, 'out-beir', 'report.json'), 'utf8'));
    const run = report.runs[0];
    expect(
      run.queries.map((q: { id: string; metrics: Record<string, number> }) => [q.id, q.metrics['ndcg@10']]),
    ).toEqual([
      ['q1', 1],
      ['q2', 1],
      ['q3', 0],
    ]);
    expect(readFileSync(join(dir, 'out-beir', 'report.md'), 'utf8')).toContain('ndcg@10');
    expect(readFileSync(join(dir, 'out-beir', 'report.html'), 'utf8')).toContain('<html');

    expect(qa.code, qa.stderr).toBe(0);
    // Both answers quote the sentence holding the gold answer: 9 and 11 words, none declined.
    expect(qa.stdout).toMatch(
      /rag \(extractive\)\s+exact \d\.\d{4} {2}f1 (0\.[1-9]\d{3}|1\.0000) {2}answerHasGold 1\.0000 {2}answerWords 10\.0 {2}declined 0\.0000 {2}contextRecall 1\.0000/,
    );
    const qaReport = JSON.parse(readFileSync(join(dir, 'out-squad', 'report.json'), 'utf8'));
    expect(qaReport.runs[0].queries.map((q: { answer: string }) => q.answer)).toEqual([
      'The ragloom server listens on port 8787 by default. [1]',
      'Sourdough bread rises slowly because of wild yeast in the starter. [1]',
    ]);

    const again = await runCli(['eval', 'beir', '--out', 'out-beir'], { cwd: dir });
    expect(again.stderr).toContain('reused the eval index');

    // The eval index is a cache: a damaged one is rebuilt, with a warning, to the same result.
    const evalRoot = join(dir, '.ragloom', 'eval');
    const [slug] = readdirSync(evalRoot).filter((d) => d.startsWith('beir-'));
    writeFileSync(committedFile(join(evalRoot, slug!), 'bm25', 'bm25.index'), 'not an index');
    const rebuilt = await runCli(['eval', 'beir', '--out', 'out-beir'], { cwd: dir });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toContain('warning rebuilding the eval index');
    expect(rebuilt.stdout).toMatch(/bm25\s+ndcg@10 0\.6667/);
  });

  it('Ctrl-C during ingest keeps the last checkpoint; the same command then finishes the job', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 1200; i++) {
      files[`docs/note-${String(i).padStart(4, '0')}.md`] =
        `# Note ${i}\n\nThe keyword k${i}z belongs to note ${i}.\n`;
    }
    const dir = makeProject(files, { ...HYBRID_CONFIG, ingest: { checkpointSeconds: 0.2 } });
    const child = spawn(process.execPath, [CLI, 'ingest', 'docs'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      // Interrupt a moment after storing starts (the first progress line), with checkpoints every 0.2 s.
      if (!sent && /ingest .*\/1200 docs/.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toContain('stopping: the index keeps its last checkpoint');
    // The counts printed after Ctrl-C are the bar's: the same documents and chunks as its last line, never
    // fewer than any earlier one showed (the bar prints a line every 2 s when stderr is not a terminal).
    const bars = [...stderr.matchAll(/^ingest .*? (\d+)\/1200 docs · .*?(\d+) chunks/gm)].map((m) => ({
      docs: Number(m[1]),
      chunks: Number(m[2]),
    }));
    const stopped = /^interrupted at (\d+)\/1200 docs · (\d+) chunks/m.exec(stderr);
    expect(stopped, stderr).not.toBeNull();
    const [docs, chunks] = [Number(stopped![1]), Number(stopped![2])];
    expect(bars.length).toBeGreaterThan(0);
    for (const line of bars) {
      expect(line.docs).toBeLessThanOrEqual(docs);
      expect(line.chunks).toBeLessThanOrEqual(chunks);
    }
    expect(docs).toBeLessThan(1200);
    expect(stderr).not.toMatch(/interrupted after/);
    const checkpointed =
      /the index on disk is the last checkpoint \((\d+) written in this run, holding (\d+) of its documents\)/.exec(
        stderr,
      );
    expect(checkpointed, stderr).not.toBeNull();

    // What is on disk is consistent: the next run skips exactly the checkpointed files and adds the rest.
    const saved = existsSync(join(dir, '.ragloom', 'index-set'))
      ? Object.keys(committedState(join(dir, '.ragloom')).files).length
      : 0;
    expect(saved).toBeLessThan(1200);
    // One document per file: the checkpoint holds the documents it says, no more than the bar counted.
    expect(Number(checkpointed![2])).toBe(saved);
    expect(saved).toBeLessThanOrEqual(docs);
    // Each note is one chunk, and the bar counts chunks only of documents it has counted.
    expect(chunks).toBeLessThanOrEqual(docs);
    const rest = await runCli(['ingest', 'docs'], { cwd: dir, timeoutMs: 60_000 });
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toContain(`files: ${1200 - saved} new, 0 changed, ${saved} unchanged`);
    const doctor = await runCli(['doctor'], { cwd: dir });
    expect(doctor.stdout).toContain('✔ index bm25: 1200 chunks');
    expect(doctor.stdout).toContain('✔ index dense: 1200 chunks');
  }, 90_000);
});
