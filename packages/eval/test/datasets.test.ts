import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRagloomError, type ProgressEvent } from '@ragloom/core';
import { assetPath } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBeirDataset, readBeirQrels, streamBeirCorpus } from '../src/datasets/beir-loader.js';
import { loadNqOpen } from '../src/datasets/nq-open-loader.js';
import { loadSquadDataset } from '../src/datasets/squad-loader.js';

async function failure(
  promise: Promise<unknown>,
): Promise<{ code?: string; message: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (!isRagloomError(error)) throw error;
    return { code: error.code, message: error.message, details: error.details };
  }
  throw new Error('expected a RagloomError');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ragloom-eval-datasets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('BEIR loader', () => {
  it('loads SciFact: 5183 documents, the 300 test queries and their 339 judgments', async () => {
    const events: ProgressEvent[] = [];
    const data = await loadBeirDataset(assetPath('data', 'scifact'), { onProgress: (e) => events.push(e) });
    expect(data.corpus).toHaveLength(5183);
    expect(data.queries).toHaveLength(300);
    expect([...data.qrels.values()].reduce((n, g) => n + g.size, 0)).toBe(339);
    expect(data.corpus[0]).toMatchObject({
      id: expect.any(String),
      title: expect.any(String),
      text: expect.any(String),
    });
    expect(data.queries.every((q) => data.qrels.has(q.id))).toBe(true);
    expect(events.at(-1)).toEqual({ phase: 'load-corpus', completed: 5183, total: 5183 });
    const train = await readBeirQrels(assetPath('data', 'scifact'), 'train');
    expect([...train.values()].reduce((n, g) => n + g.size, 0)).toBe(919);
  });

  it('streams the corpus without loading it whole', async () => {
    let seen = 0;
    for await (const doc of streamBeirCorpus(assetPath('data', 'scifact'))) {
      expect(typeof doc.text).toBe('string');
      if (++seen === 10) break;
    }
    expect(seen).toBe(10);
  });

  it('names the file and line of a malformed line', async () => {
    const beir = join(dir, 'broken-beir');
    await mkdir(join(beir, 'qrels'), { recursive: true });
    await writeFile(
      join(beir, 'corpus.jsonl'),
      '{"_id":"a","text":"x"}\n{"_id":"b","text":"y"}\n{"_id":"c","text": oops}\n',
    );
    await writeFile(join(beir, 'queries.jsonl'), '{"_id":"q","text":"x"}\n{"_id":"r"}\n');
    await writeFile(join(beir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq\ta\t1\nq\tb\thigh\n');
    const corpusError = await failure(
      (async () => {
        for await (const _ of streamBeirCorpus(beir));
      })(),
    );
    expect(corpusError.code).toBe('INVALID_ARGUMENT');
    expect(corpusError.message).toContain(`${join(beir, 'corpus.jsonl')}:3: malformed JSON`);
    expect(corpusError.details).toMatchObject({ line: 3 });
    const qrelsError = await failure(readBeirQrels(beir));
    expect(qrelsError.message).toContain('test.tsv:3: score "high" is not an integer');
    await writeFile(join(beir, 'qrels', 'test.tsv'), 'q\ta\t1\nr\ta\t1\n');
    const queryError = await failure(loadBeirDataset(beir));
    expect(queryError.message).toContain('queries.jsonl:2: "text" must be a string');
    expect((await failure(loadBeirDataset(join(dir, 'nowhere')))).code).toBe('NOT_FOUND');
  });
});

describe('SQuAD-format and NQ-open loaders', () => {
  it('flattens SQuAD 2.0 and CMRC 2018 into questions with their passage', async () => {
    const squad = await loadSquadDataset(assetPath('data', 'squad2-dev-half', 'dev-v2.0-cs224n-dev.json'));
    expect(squad).toHaveLength(6078);
    expect(squad.filter((q) => q.answers.length === 0)).toHaveLength(3168);
    expect(new Set(squad.map((q) => q.contextId)).size).toBe(646);
    const first = squad.find((q) => q.answers.length > 0)!;
    expect(
      first.context!.slice(first.answerStarts![0]!, first.answerStarts![0]! + first.answers[0]!.length),
    ).toBe(first.answers[0]);
    const cmrc = await loadSquadDataset(assetPath('data', 'cmrc2018', 'cmrc2018_dev.squad.json'));
    expect(cmrc).toHaveLength(3219);
    expect(new Set(cmrc.map((q) => q.contextId)).size).toBe(848);
  });

  it('names the place of a structural problem and the line of a JSON syntax error', async () => {
    const bad = join(dir, 'bad-squad.json');
    await writeFile(
      bad,
      JSON.stringify({
        data: [{ title: 't', paragraphs: [{ context: 'c', qas: [{ id: 'x', answers: [] }] }] }],
      }),
    );
    expect((await failure(loadSquadDataset(bad))).message).toContain(
      'data[0].paragraphs[0].qas[0].question must be a string',
    );
    await writeFile(bad, '{\n  "data": [\n    {"title": "t",, }\n  ]\n}');
    const syntax = await failure(loadSquadDataset(bad));
    expect(syntax.message).toMatch(/bad-squad\.json:3:\d+: malformed JSON/);
    expect(syntax.details).toMatchObject({ line: 3 });
  });

  it('streams NQ-open and EfficientQA', async () => {
    const dev = await loadNqOpen(assetPath('data', 'nq-open', 'NQ-open.dev.jsonl'));
    expect(dev).toHaveLength(3610);
    expect(dev[0]).toEqual({
      id: '0',
      question: 'when was the last time anyone was on the moon',
      answers: ['14 December 1972 UTC', 'December 1972'],
    });
    expect(await loadNqOpen(assetPath('data', 'nq-open', 'NQ-open.efficientqa.dev.1.1.jsonl'))).toHaveLength(
      1800,
    );
    const bad = join(dir, 'nq.jsonl');
    await writeFile(bad, '{"question":"a","answer":["b"]}\n\n{"question":"c","answer":"d"}\n');
    expect((await failure(loadNqOpen(bad))).message).toContain(
      'nq.jsonl:3: "answer" must be an array of strings',
    );
  });
});
