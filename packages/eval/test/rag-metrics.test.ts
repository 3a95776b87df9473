import {
  type ChatMessage,
  createHashingEncoder,
  createTemplateGenerator,
  isRagloomError,
} from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { answerInText, nqOpenExactMatch, nqOpenRegexMatch } from '../src/qa/nq-open-metrics.js';
import { contextScores } from '../src/rag/context-metrics.js';
import { parseJudgeJson, readVerdict } from '../src/rag/judge-json.js';
import { answerSentences, judgeAnswerRelevance, judgeFaithfulness } from '../src/rag/llm-judge.js';
import {
  embeddingAnswerRelevance,
  overlapAnswerRelevance,
  overlapFaithfulness,
} from '../src/rag/overlap-metrics.js';

const asObject = (v: unknown) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

describe('tolerant JSON parsing of judge output', () => {
  it.each([
    ['plain', '{"score": 4, "reason": "ok"}', { score: 4, reason: 'ok' }],
    ['fenced with prose', 'Sure! Here you go:\n```json\n{"score": 4}\n```\nAnything else?', { score: 4 }],
    [
      'single quotes, bare keys, trailing comma',
      "{score: 4, 'reason': 'fine',}",
      { score: 4, reason: 'fine' },
    ],
    [
      'Python literals',
      "{'supported': True, 'note': None, 'x': False}",
      { supported: true, note: null, x: false },
    ],
    ['curly quotes', '{“score”: 3, “reason”: “partly”}', { score: 3, reason: 'partly' }],
    ['comments', '{\n // the rating\n "score": 5 /* best */\n}', { score: 5 }],
    [
      'truncated by max tokens',
      '{"score": 2, "reason": "mostly off-top',
      { score: 2, reason: 'mostly off-top' },
    ],
    ['escapes', '{"reason": "say \\"hi\\"\\n\\u4e2d"}', { reason: 'say "hi"\n中' }],
    ['JSON after a brace in prose', 'I think {this} is fine. {"score": 1}', { score: 1 }],
  ])('%s', (_name, text, want) => {
    expect(
      parseJudgeJson(text, (v) =>
        asObject(v) && Object.keys(asObject(v)!).some((k) => k in want) ? v : undefined,
      ),
    ).toEqual(want);
  });

  it('picks the first value of the expected shape and fails clearly when there is none', () => {
    const accept = (v: unknown) => (typeof asObject(v)?.score === 'number' ? v : undefined);
    expect(parseJudgeJson('{"thinking": "..."} then {"score": 3}', accept)).toEqual({ score: 3 });
    let error: unknown;
    try {
      parseJudgeJson('I cannot grade this.', accept);
    } catch (e) {
      error = e;
    }
    expect(isRagloomError(error, 'UPSTREAM_ERROR')).toBe(true);
    expect((error as Error).message).toContain('I cannot grade this.');
  });

  it('reads verdicts in the forms judges write them', () => {
    expect([true, 1, 'Yes', 'supported', 'TRUE.', '是'].map(readVerdict)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([false, 0, 'no', 'Unsupported', 'not supported'].map(readVerdict)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['maybe', 0.5, null].map(readVerdict)).toEqual([undefined, undefined, undefined]);
  });
});

/** A judge made from core's template generator: it checks each numbered sentence against the context
 * itself, and answers in deliberately messy JSON. */
function messyJudge(style: 'fenced' | 'python' | 'garbage-then-good' | 'truncated' | 'garbage') {
  let calls = 0;
  return createTemplateGenerator({
    modelId: `messy-judge-${style}`,
    render: (messages: readonly ChatMessage[]) => {
      calls++;
      const user = messages.find((m) => m.role === 'user')!.content;
      const context = /CONTEXT:\n([\s\S]*?)\n\nSENTENCES:/.exec(user)?.[1] ?? '';
      const sentences = [...(/SENTENCES:\n([\s\S]*)$/.exec(user)?.[1] ?? '').matchAll(/^(\d+)\. (.*)$/gm)];
      const verdicts = sentences.map(([, n, s]) => ({
        n: Number(n),
        ok: context.includes(s!.replace(/[.。]$/, '')),
      }));
      if (style === 'garbage' || (style === 'garbage-then-good' && calls === 1))
        return 'Let me think about this carefully.';
      if (style === 'python') {
        return `Verdicts:\n{'verdicts': [${verdicts.map((v) => `{'sentence': ${v.n}, 'supported': ${v.ok ? 'True' : 'False'}, 'reason': 'checked',}`).join(', ')}]}`;
      }
      const json = `{"verdicts": [${verdicts.map((v) => `{"sentence": ${v.n}, "supported": "${v.ok ? 'yes' : 'no'}"}`).join(', ')}]}`;
      if (style === 'truncated') return json.slice(0, json.indexOf('}') + 1); // cut after the first verdict
      return `Here is my assessment.\n\`\`\`json\n${json}\n\`\`\``;
    },
  });
}

describe('faithfulness and answer relevance by LLM judge (core template generator, messy output)', () => {
  const contexts = ['Paris is the capital of France.', 'The Seine flows through Paris.'];
  const answer = 'Paris is the capital of France. It has 90 million inhabitants.';

  it.each(['fenced', 'python'] as const)(
    'reads %s verdicts: one of two sentences supported',
    async (style) => {
      const result = await judgeFaithfulness(
        { question: 'What is the capital of France?', answer, contexts },
        { generator: messyJudge(style) },
      );
      expect(result.method).toBe('llm-judge');
      expect(result.sentences.map((s) => s.supported)).toEqual([true, false]);
      expect(result.score).toBe(0.5);
      expect(result.usage!.totalTokens).toBeGreaterThan(0);
    },
  );

  it('asks again once when the reply has no usable JSON, adding up usage', async () => {
    const result = await judgeFaithfulness(
      { question: 'q', answer, contexts },
      { generator: messyJudge('garbage-then-good') },
    );
    expect(result.score).toBe(0.5);
    const single = await judgeFaithfulness(
      { question: 'q', answer, contexts },
      { generator: messyJudge('fenced') },
    );
    expect(result.usage!.promptTokens).toBeGreaterThan(single.usage!.promptTokens);
  });

  it('fails with UPSTREAM_ERROR rather than guessing when verdicts are missing', async () => {
    for (const style of ['garbage', 'truncated'] as const) {
      let error: unknown;
      try {
        await judgeFaithfulness({ question: 'q', answer, contexts }, { generator: messyJudge(style) });
      } catch (e) {
        error = e;
      }
      expect(isRagloomError(error, 'UPSTREAM_ERROR'), style).toBe(true);
    }
  });

  it('passes provider options (JSON mode) and deterministic settings to the generator', async () => {
    const seen: unknown[] = [];
    const generator = createTemplateGenerator({ render: () => '{"score": 3}' });
    const spy = {
      ...generator,
      generate: (request: Parameters<typeof generator.generate>[0]) => (
        seen.push(request), generator.generate(request)
      ),
    };
    const providerOptions = { template: { response_format: { type: 'json_object' } } };
    await judgeAnswerRelevance({ question: 'q', answer: 'a' }, { generator: spy, providerOptions });
    expect(seen[0]).toMatchObject({ temperature: 0, seed: 42, maxTokens: 512, providerOptions });
  });

  it('maps a 1-5 relevance rating to 0..1', async () => {
    const generator = createTemplateGenerator({
      render: () => 'Rating: {score: "4", reason: \'answers it\'} — done',
    });
    const result = await judgeAnswerRelevance(
      { question: 'Capital of France?', answer: 'Paris.' },
      { generator },
    );
    expect(result).toMatchObject({ score: 0.75, rating: 4, reason: 'answers it', method: 'llm-judge' });
    const outOfRange = createTemplateGenerator({ render: () => '{"score": 9}' });
    await expect(
      judgeAnswerRelevance({ question: 'q', answer: 'a' }, { generator: outOfRange, retries: 0 }),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
    });
  });

  it('aborts with ABORTED', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      judgeFaithfulness(
        { question: 'q', answer, contexts },
        { generator: messyJudge('fenced'), signal: controller.signal },
      ),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('offline fallbacks (deterministic, labelled)', () => {
  it('token-overlap faithfulness, CJK-aware', () => {
    const result = overlapFaithfulness({
      answer: '北京是中国的首都。上海有两千万人口。',
      contexts: ['北京是中华人民共和国的首都，也是中国的政治中心。'],
    });
    expect(result.method).toBe('token-overlap');
    expect(answerSentences('北京是中国的首都。上海有两千万人口。')).toHaveLength(2);
    expect(answerSentences('Paris is the capital [1]. It is big.【2】 [3]')).toEqual([
      'Paris is the capital.',
      'It is big.',
    ]);
    expect(result.sentences.map((s) => s.supported)).toEqual([true, false]);
    expect(result.score).toBe(0.5);
    // "北京 中国 首都" minus 的/是: 5 content characters, all in the context
    expect(result.sentences[0]!.coverage).toBe(1);
    expect(overlapFaithfulness({ answer: '', contexts: [] }).score).toBe(1);
  });

  it('token-overlap answer relevance and embedding similarity', async () => {
    expect(
      overlapAnswerRelevance({ question: 'Who wrote Hamlet?', answer: 'Hamlet was written by Shakespeare.' }),
    ).toEqual({
      score: 1 / 2, // content words: wrote, hamlet → only hamlet appears
      method: 'token-overlap',
    });
    const encoder = createHashingEncoder({ dimension: 64 });
    const same = await embeddingAnswerRelevance(
      { question: 'red apple pie', answer: 'red apple pie' },
      encoder,
    );
    expect(same.score).toBeCloseTo(1, 6);
    expect(same.method).toBe('embedding-similarity');
  });
});

describe('context and answer matching, hand-computed', () => {
  it('context precision, recall and rank-aware precision by id and by text', () => {
    const gold = [{ id: 'd1' }, { id: 'd2' }];
    const retrieved = [
      { id: 'c9', documentId: 'x' },
      { id: 'c1', documentId: 'd1' },
      { id: 'd2' },
      { id: 'c3', documentId: 'y' },
    ];
    const s = contextScores(retrieved, gold);
    expect(s.relevant).toEqual([false, true, true, false]);
    expect(s.precision).toBe(0.5);
    expect(s.recall).toBe(1);
    expect(s.averagePrecision).toBeCloseTo((1 / 2 + 2 / 3) / 2, 12);
    const byText = contextScores(
      [{ text: 'The Seine  flows through PARIS' }, { text: 'Lyon' }],
      [{ text: 'Paris is big. The Seine flows through Paris. It rains.' }],
    );
    expect(byText).toMatchObject({ precision: 0.5, recall: 1, averagePrecision: 1 });
    expect(contextScores([], gold)).toMatchObject({ precision: 0, recall: 0 });
  });

  it('NQ-open exact match (NFD + SQuAD normalisation), regex match, and DPR has_answer', () => {
    expect(nqOpenExactMatch(['The Awakening'], 'awakening')).toBe(true);
    expect(nqOpenExactMatch(['Pok\u00e9mon'], 'Poke\u0301mon')).toBe(true); // composed vs decomposed é
    expect(nqOpenExactMatch(['Pokémon'], 'Pokemon')).toBe(false); // NFD keeps the accent
    expect(nqOpenRegexMatch(['\\d{4} (AD|CE)'], '1066 ad, in autumn')).toBe(true); // anchored at the start, case-insensitive
    expect(nqOpenRegexMatch(['\\d{4}'], 'in 1066')).toBe(false);
    expect(nqOpenRegexMatch(['(unclosed'], '(unclosed')).toBe(false);
    expect(answerInText(['December 1972'], 'They landed in december, 1972.')).toBe(false);
    expect(answerInText(['December 1972'], 'It was 14 December 1972 UTC.')).toBe(true);
    expect(answerInText(['Ford'], 'Afforded nothing.')).toBe(false); // whole tokens only
  });
});
