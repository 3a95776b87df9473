import { describe, expect, it } from 'vitest';
import {
  asksAboutCode,
  createMarkdownChunker,
  createMemoryKeywordRetriever,
  createPipeline,
  extractiveAnswer,
  limitText,
  type RetrievedPassage,
  sentenceKind,
} from '../src/index.js';

const passage = (text: string, extra: Partial<RetrievedPassage> = {}): RetrievedPassage => ({
  id: extra.id ?? `${extra.documentId ?? 'doc'}#0`,
  score: 1,
  text,
  metadata: {},
  documentId: 'doc',
  start: 0,
  ...extra,
});

describe('extractiveAnswer: the shortest set of sentences that answers', () => {
  it('quotes the one sentence that holds the question, not its neighbours', () => {
    const text =
      'Pickle serialises Python objects. The default pickle protocol is 4 since Python 3.8. Protocol 5 adds out-of-band buffers.';
    const result = extractiveAnswer('What is the default pickle protocol?', [passage(text)]);
    expect(result.declined).toBe(false);
    expect(result.answer).toBe('The default pickle protocol is 4 since Python 3.8. [1]');
    const [citation] = result.citations;
    expect(text.slice(citation!.start, citation!.end)).toBe(citation!.text);
  });

  it('quotes a sentence once when overlapping chunks both hold it', () => {
    const doc = 'IDL is an interface definition language. It describes the interfaces of components.';
    // Two chunks of one document overlapping on the first sentence, and a piece of the second.
    const first = passage(doc.slice(0, 41), { id: 'c0', start: 0 });
    const second = passage(doc, { id: 'c1', start: 0 });
    const cut = passage(doc.slice(42), { id: 'c2', start: 42 });
    const result = extractiveAnswer('What is IDL, the interface definition language?', [first, second, cut]);
    expect(result.answer.match(/IDL is an interface definition language\./g)).toHaveLength(1);
    expect(new Set(result.citations.map((c) => `${c.start}-${c.end}`)).size).toBe(result.citations.length);
  });

  it('never quotes code, directives or navigation, unless the question is about code', () => {
    const text = [
      'Docs » Library » pickle',
      '',
      '.. versionchanged:: 3.8 The default protocol is 5.',
      '',
      '```python',
      'pickle.dumps(obj, protocol=pickle.DEFAULT_PROTOCOL)',
      '```',
      '',
      'The pickle module uses a default protocol that readers of older Python versions understand.',
    ].join('\n');
    const prose = extractiveAnswer('What default protocol does pickle use?', [passage(text)]);
    expect(prose.answer).toBe(
      'The pickle module uses a default protocol that readers of older Python versions understand. [1]',
    );
    const code = extractiveAnswer(
      'Show the code example that calls pickle.dumps() with the default protocol',
      [passage(text)],
    );
    expect(code.answer).toContain('pickle.dumps(obj, protocol=pickle.DEFAULT_PROTOCOL)');
  });

  it('ranks a version note below the sentence about the present', () => {
    const text =
      'Changed in version 3.0: The default protocol is 3. Currently the default protocol is 4, added in Python 3.4.';
    const result = extractiveAnswer('What is the default protocol?', [passage(text)]);
    expect(result.answer).toBe('Currently the default protocol is 4, added in Python 3.4. [1]');
  });

  it('adds a sentence only when its chance of holding the answer is worth its length, up to maxSentences', () => {
    // Two sentences share the question's terms; the second one's chance is high in a pool of two.
    const text = passage(
      'The Tay bridge crosses the Firth of Tay. The Tay bridge was opened in 1878 and fell in 1879.',
    );
    const both = extractiveAnswer('When was the Tay bridge opened?', [text]);
    expect(both.answer).toContain('The Tay bridge was opened in 1878 and fell in 1879.');
    const one = extractiveAnswer('When was the Tay bridge opened?', [text], { maxSentences: 1 });
    expect(one.citations).toHaveLength(1);
    expect(one.answer).toBe('The Tay bridge was opened in 1878 and fell in 1879. [1]');
    // Padded with many unrelated sentences, the weak one's chance no longer pays for its 60 words.
    const filler = Array.from(
      { length: 40 },
      (_, i) => `The bridge number ${i} carries the road over a small river near the old mill.`,
    ).join(' ');
    const long = `${'The Firth of Tay is wide and the river Tay is the longest river of Scotland and it is '.repeat(4)}known.`;
    const padded = extractiveAnswer('When was the Tay bridge opened?', [
      passage(`The Tay bridge was opened in 1878. ${long} ${filler}`),
    ]);
    expect(padded.answer).toBe('The Tay bridge was opened in 1878. [1]');
  });

  it('stays with one source unless another one is needed for what it lacks', () => {
    const server = passage('The server listens on port 8787. It binds to 127.0.0.1 by default.', {
      documentId: 'server.md',
      score: 10,
    });
    const ships = passage('Ports of call: the ship listens to the harbour master.', {
      documentId: 'ships.md',
      score: 9,
    });
    const one = extractiveAnswer('Which port does the server listen on?', [server, ships]);
    expect(one.answer).toBe('The server listens on port 8787. [1]');
    // The second half of this question is only in another document: then it is quoted too.
    const keys = passage('An environment variable holds the secret.', { documentId: 'keys.md', score: 1 });
    const two = extractiveAnswer(
      'Which port does the server listen on, and which environment variable holds the secret?',
      [server, keys],
    );
    expect(two.answer).toBe(
      'The server listens on port 8787. [1] An environment variable holds the secret. [2]',
    );
  });

  it('declines when the passages do not cover the question, and when it asks about what is not so', () => {
    const text = passage('The First Minister delivers a statement to Parliament each year.');
    const weak = extractiveAnswer('Which river flows through the capital of Peru?', [text]);
    expect(weak).toMatchObject({ declined: true, answer: '', citations: [] });
    const negated = extractiveAnswer('Who does not deliver a statement to Parliament?', [text]);
    expect(negated.declined).toBe(true);
    expect(negated.evidence).toBeGreaterThan(0.5); // well covered, but it says the opposite
    const asked = extractiveAnswer('Who delivers a statement to Parliament?', [text]);
    expect(asked.declined).toBe(false);
    // minEvidence 0: only "no sentence matches at all" declines
    expect(
      extractiveAnswer('Which river flows through the capital of Peru?', [text], { minEvidence: 0 }),
    ).toMatchObject({
      declined: true,
    });
  });

  it('answers a Chinese question with the sentence about what it asks, not the one naming the topic', () => {
    const text =
      '纽西兰鸡毛松是罗汉松科鸡毛松属的一种，纽西兰的特有种。树高可达55米，树干直径达1米。其叶螺旋状排列。';
    const result = extractiveAnswer('纽西兰鸡毛松有多高？', [passage(text)]);
    // The height sentence is quoted (with the topic sentence, which names what "树" is), the leaves are not.
    expect(result.citations.map((c) => c.text)).toContain('树高可达55米，树干直径达1米。');
    expect(result.answer).not.toContain('其叶');
  });
});

describe('sentence kinds', () => {
  it('takes a lone API signature line (a Sphinx definition title) for code', () => {
    for (const title of [
      'pickle.DEFAULT_PROTOCOL',
      'class pickle.Pickler(file, protocol=None, *, fix_imports=True, buffer_callback=None)',
      'exception pickle.PicklingError',
      'persistent_load(pid)',
    ])
      expect(sentenceKind(title), title).toBe('code');
    for (const prose of [
      'An integer, the default protocol version used for pickling.',
      'Pickle.',
      'Currently.',
    ])
      expect(sentenceKind(prose), prose).toBe('prose');
  });

  it('tells prose from code, directives, headings and navigation', () => {
    expect(sentenceKind('The server listens on port 8787.')).toBe('prose');
    expect(sentenceKind('## Configuration')).toBe('heading');
    expect(sentenceKind('.. note::')).toBe('directive');
    expect(sentenceKind(':param protocol: the pickle protocol')).toBe('directive');
    expect(sentenceKind('Changed in version 3.8: the default protocol is 5.')).toBe('version-note');
    expect(sentenceKind('Previous topic')).toBe('navigation');
    expect(sentenceKind('index | modules | next | previous')).toBe('navigation');
    expect(sentenceKind('© Copyright 2001 Python Software Foundation.')).toBe('navigation');
    expect(sentenceKind('$ npm install ragloom')).toBe('code');
    expect(sentenceKind('const x = await ask(q);')).toBe('code');
    expect(sentenceKind('for (let i = 0; i < n; i++) {')).toBe('code');
    expect(sentenceKind('anything at all', true)).toBe('code');
    expect(asksAboutCode('How do I call createPipeline()?')).toBe(true);
    expect(asksAboutCode('What is the default port?')).toBe(false);
  });
});

describe('limitText: maxTokens and stop sequences for text that exists whole', () => {
  it('cuts at maxTokens words (length) and before a stop sequence, never emitting part of it', () => {
    expect(limitText('one two three four', { maxTokens: 2 })).toMatchObject({
      text: 'one two',
      finishReason: 'length',
      tokens: 2,
    });
    const stopped = limitText('alpha beta END gamma', { stop: ['END'] });
    expect(stopped).toMatchObject({ text: 'alpha beta ', finishReason: 'stop' });
    expect(stopped.deltas.join('')).toBe(stopped.text);
    expect(limitText('a b', {})).toMatchObject({ text: 'a b', finishReason: 'stop', tokens: 2 });
    // a held-back tail that could have started a stop sequence is released when the text ends
    expect(limitText('ends with E', { stop: ['EN'] }).text).toBe('ends with E');
  });
});

describe('extractive answers through the pipeline', () => {
  it('give the same answer streamed and whole, with limits, concurrently as sequentially', async () => {
    const pipeline = createPipeline({
      retrievers: [createMemoryKeywordRetriever()],
      chunker: createMarkdownChunker({ chunkSize: 200, chunkOverlap: 40 }),
    });
    await pipeline.ingest([
      {
        id: 'server.md',
        text: '# Server\n\nThe server listens on port 8787 by default. Set RAGLOOM_API_KEY to require a key.\n\nRequests over the limit get HTTP 429.',
      },
    ]);
    const questions = ['Which port does the server listen on?', 'What do requests over the limit get?'];
    const generation = { maxTokens: 6, stop: ['8787'] };
    const sequential = [];
    for (const q of questions) sequential.push(await pipeline.ask(q, { generation }));
    const concurrent = await Promise.all(questions.map((q) => pipeline.ask(q, { generation })));
    expect(concurrent).toEqual(sequential);
    expect(sequential[0]).toMatchObject({
      answer: 'The server listens on port ',
      finishReason: 'stop',
      outcome: 'answered',
      citations: [], // the marker was cut off, so is the citation
    });
    expect(sequential[1]!.finishReason).toBe('length');
    for (const [i, q] of questions.entries()) {
      const parts = [];
      for await (const part of pipeline.askStream(q, { generation })) parts.push(part);
      const finish = parts.at(-1)!;
      if (finish.type !== 'finish') throw new Error('no finish part');
      const { type: _type, ...streamed } = finish;
      expect(streamed).toEqual(sequential[i]);
      expect(parts.flatMap((p) => (p.type === 'text-delta' ? [p.delta] : [])).join('')).toBe(streamed.answer);
    }
  });

  it('declines with a typed outcome when the documents do not answer, and when nothing is retrieved', async () => {
    const pipeline = createPipeline({ retrievers: [createMemoryKeywordRetriever()] });
    await pipeline.ingest([
      { id: 'a.md', text: 'The First Minister delivers a statement to Parliament each year.' },
    ]);
    const weak = await pipeline.ask(
      'Which statement did the navy admiral forecast about weather, storms and tides?',
    );
    expect(weak).toMatchObject({ outcome: 'declined', declineReason: 'weak-evidence', citations: [] });
    expect(weak.answer).toMatch(/^Not found in your documents/);
    expect(weak.passages.length).toBeGreaterThan(0); // still shown, so the user can look
    const nothing = await pipeline.ask('zebra quagga okapi');
    expect(nothing).toMatchObject({ outcome: 'declined', declineReason: 'no-passages', passages: [] });
  });
});
