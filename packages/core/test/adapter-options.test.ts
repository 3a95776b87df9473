import { describe, expect, it } from 'vitest';
import {
  type InferOptions,
  type InferOptionsInput,
  option,
  optionsJsonSchema,
  parseOptions,
} from '../src/adapter/index.js';
import { createOptionsSchema, isRagloomError } from '../src/index.js';

/** `path: message` lines, as a host prints them. */
function issues(schema: { '~standard': { validate(v: unknown): unknown } }, value: unknown): string[] {
  const result = schema['~standard'].validate(value) as {
    issues?: { path?: PropertyKey[]; message: string }[];
  };
  return (result.issues ?? []).map((i) => {
    const path = (i.path ?? [])
      .map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`))
      .join('');
    return path === '' ? i.message : `${path}: ${i.message}`;
  });
}

// Every kind of option the adapters have today, in one declaration.
const analyzerName = option.enum(['english', 'cjk', 'auto', 'standard', 'whitespace']);
const schema = option.object({
  model: option.string(),
  baseURL: option.url().optional(),
  fileName: option.string({ pattern: /^[\w.-]+$/, expected: 'a plain file name' }).optional(),
  revision: option.string({ pattern: /^[0-9a-f]{40}$/ }).optional(),
  maxBatchSize: option.integer({ min: 1 }).default(64),
  M: option.integer({ min: 2, max: 256 }).optional(),
  k1: option.number({ exclusiveMin: 0 }).optional(),
  b: option.number({ min: 0, max: 1 }).optional(),
  compactionThreshold: option.number({ exclusiveMin: 0, max: 1 }).optional(),
  normalize: option.boolean().optional(),
  metric: option.enum(['cosine', 'dot', 'l2']).optional(),
  prompts: option
    .union([
      option.enum(['auto', 'e5', 'bge']),
      option.object({
        query: option.string({ minLength: 0 }).optional(),
        document: option.string({ minLength: 0 }).optional(),
      }),
    ])
    .optional(),
  analyzer: option
    .union([
      analyzerName,
      option.object({ type: option.literal('english'), stem: option.boolean().optional() }),
      option.object({ type: option.literal('cjk'), locale: option.string().optional() }),
    ])
    .optional(),
  stop: option.array(option.string(), { maxItems: 4 }).optional(),
  extraBody: option.record(option.unknown()).optional(),
  checksums: option
    .record(option.string({ pattern: /^[0-9a-f]{64}$/, expected: 'a sha256 in hex' }))
    .optional(),
});

describe('option: the schema builder', () => {
  it('accepts valid options, fills defaults and leaves absent optional keys out', () => {
    const result = schema['~standard'].validate({ model: 'm', metric: 'dot', normalize: undefined });
    expect(result).toEqual({ value: { model: 'm', metric: 'dot', maxBatchSize: 64 } });
    expect('normalize' in (result as { value: object }).value).toBe(false);
    const full = {
      model: 'Xenova/all-MiniLM-L6-v2',
      baseURL: 'http://127.0.0.1:8080/v1',
      fileName: 'index.json',
      revision: 'a'.repeat(40),
      maxBatchSize: 8,
      M: 256,
      k1: 0.9,
      b: 0,
      compactionThreshold: 1,
      normalize: false,
      metric: 'l2',
      prompts: { query: '', document: 'passage: ' },
      analyzer: { type: 'cjk', locale: 'ja' },
      stop: ['\n\n', 'END'],
      extraBody: { top_k: 5, nested: { a: [1] } },
      checksums: { 'onnx/model.onnx': 'f'.repeat(64) },
    };
    expect(schema['~standard'].validate(full)).toEqual({ value: full });
    expect(schema['~standard'].validate({ model: 'm', prompts: 'e5', analyzer: 'auto' })).toEqual({
      value: { model: 'm', maxBatchSize: 64, prompts: 'e5', analyzer: 'auto' },
    });
  });

  const table: [string, unknown, string[]][] = [
    ['not an object', [1], ['expected an object, got an array of 1 item']],
    ['null', null, ['expected an object, got null']],
    ['a missing required option', {}, ['model: required (expected a non-empty string)']],
    ['an empty string', { model: '' }, ['model: expected a non-empty string, got ""']],
    ['a number for a string', { model: 7 }, ['model: expected a non-empty string, got 7']],
    [
      'an unknown key, with the likely one',
      { model: 'm', maxBatchsize: 2 },
      [
        'maxBatchsize: unknown option "maxBatchsize" (did you mean "maxBatchSize"?); valid options: model, baseURL, fileName, revision, maxBatchSize, M, k1, b, compactionThreshold, normalize, metric, prompts, analyzer, stop, extraBody, checksums',
      ],
    ],
    [
      'not a URL',
      { model: 'm', baseURL: 'localhost:8080' },
      ['baseURL: expected an http(s) URL, got "localhost:8080"'],
    ],
    [
      'a URL of another scheme',
      { model: 'm', baseURL: 'ftp://x/y' },
      ['baseURL: expected an http(s) URL, got "ftp://x/y"'],
    ],
    [
      'a pattern in words',
      { model: 'm', fileName: '../x' },
      ['fileName: expected a plain file name, got "../x"'],
    ],
    [
      'a pattern',
      { model: 'm', revision: 'main!' },
      ['revision: expected a non-empty string matching /^[0-9a-f]{40}$/, got "main!"'],
    ],
    [
      'zero for a positive integer',
      { model: 'm', maxBatchSize: 0 },
      ['maxBatchSize: expected an integer >= 1, got 0'],
    ],
    [
      'a fraction for an integer',
      { model: 'm', maxBatchSize: 1.5 },
      ['maxBatchSize: expected an integer >= 1, got 1.5'],
    ],
    ['NaN', { model: 'm', maxBatchSize: Number.NaN }, ['maxBatchSize: expected an integer >= 1, got NaN']],
    [
      'a numeric string',
      { model: 'm', maxBatchSize: '8' },
      ['maxBatchSize: expected an integer >= 1, got "8"'],
    ],
    ['above a range', { model: 'm', M: 257 }, ['M: expected an integer from 2 to 256, got 257']],
    ['an exclusive bound', { model: 'm', k1: 0 }, ['k1: expected a number > 0, got 0']],
    [
      'mixed bounds',
      { model: 'm', compactionThreshold: 0 },
      ['compactionThreshold: expected a number > 0 and <= 1, got 0'],
    ],
    [
      'Infinity',
      { model: 'm', b: Number.POSITIVE_INFINITY },
      ['b: expected a number from 0 to 1, got Infinity'],
    ],
    [
      'a string for a boolean',
      { model: 'm', normalize: 'true' },
      ['normalize: expected true or false, got "true"'],
    ],
    [
      'a near miss of an enum',
      { model: 'm', metric: 'cosin' },
      ['metric: expected one of "cosine", "dot", "l2", got "cosin" (did you mean "cosine"?)'],
    ],
    [
      'a far miss of an enum',
      { model: 'm', metric: 'manhattan' },
      ['metric: expected one of "cosine", "dot", "l2", got "manhattan"'],
    ],
    [
      'a union, string member',
      { model: 'm', prompts: 'e6' },
      ['prompts: expected one of "auto", "e5", "bge", got "e6" (did you mean "e5"?)'],
    ],
    [
      'a union, object member: the issue is inside it',
      { model: 'm', prompts: { qeury: 'q: ' } },
      ['prompts.qeury: unknown option "qeury" (did you mean "query"?); valid options: query, document'],
    ],
    [
      'a union, neither member',
      { model: 'm', prompts: 3 },
      ['prompts: expected one of "auto", "e5", "bge" or an object, got 3'],
    ],
    [
      'a tagged union, the member its tag names',
      { model: 'm', analyzer: { type: 'english', stem: 'yes' } },
      ['analyzer.stem: expected true or false, got "yes"'],
    ],
    [
      'a tagged union, an unknown tag',
      { model: 'm', analyzer: { type: 'klingon' } },
      ['analyzer.type: expected one of "english", "cjk", got "klingon"'],
    ],
    ['an array item', { model: 'm', stop: ['a', ''] }, ['stop[1]: expected a non-empty string, got ""']],
    [
      'an array too long',
      { model: 'm', stop: ['a', 'b', 'c', 'd', 'e'] },
      ['stop: expected an array of at most 4 items, got an array of 5 items'],
    ],
    [
      'a record value',
      { model: 'm', checksums: { 'a.bin': 'nope' } },
      ['checksums.a.bin: expected a sha256 in hex, got "nope"'],
    ],
    [
      'a record that is not an object',
      { model: 'm', extraBody: 'x' },
      ['extraBody: expected an object, got "x"'],
    ],
    [
      'every problem at once, unknown keys first',
      { model: '', M: 1, typo: true },
      [
        'typo: unknown option "typo"; valid options: model, baseURL, fileName, revision, maxBatchSize, M, k1, b, compactionThreshold, normalize, metric, prompts, analyzer, stop, extraBody, checksums',
        'model: expected a non-empty string, got ""',
        'M: expected an integer from 2 to 256, got 1',
      ],
    ],
  ];

  it.each(table)('refuses %s with the exact path and message', (_name, value, expected) => {
    expect(issues(schema, value)).toEqual(expected);
  });

  it('keeps a "__proto__" key as data and never touches the prototype', () => {
    const hostile = JSON.parse('{"model":"m","extraBody":{"__proto__":{"polluted":true}}}');
    const result = schema['~standard'].validate(hostile) as { value: { extraBody: Record<string, unknown> } };
    expect(Object.getPrototypeOf(result.value.extraBody)).toBe(Object.prototype);
    expect(Object.keys(result.value.extraBody)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(issues(schema, JSON.parse('{"model":"m","__proto__":1}'))[0]).toMatch(
      /^__proto__: unknown option/,
    );
  });

  it('gives each parse a fresh copy of an object default', () => {
    const s = option.object({ stop: option.array(option.string()).default(['\n']) });
    const first = parseOptions(s, {}, { component: 't' });
    (first.stop as string[]).push('mutated');
    expect(parseOptions(s, {}, { component: 't' }).stop).toEqual(['\n']);
  });

  it('gives the same verdict on every call, also for a stateful /g pattern', () => {
    const s = option.object({ tag: option.string({ pattern: /^[a-z]+$/g }) });
    const verdicts = Array.from({ length: 4 }, () => issues(s, { tag: 'abc' }).length);
    expect(verdicts).toEqual([0, 0, 0, 0]);
  });

  it('refuses a default that breaks its own schema, when the schema is declared', () => {
    expect(() => option.integer({ min: 1 }).default(0)).toThrow(/default 0 is not an integer >= 1/);
  });

  it('runs refine rules after the built-in checks, at the refined value path', () => {
    const range = option
      .object({ min: option.integer(), max: option.integer() })
      .refine((v) => (v.min <= v.max ? undefined : `min (${v.min}) must not exceed max (${v.max})`));
    const s = option.object({ range });
    expect(issues(s, { range: { min: 3, max: 1 } })).toEqual(['range: min (3) must not exceed max (1)']);
    expect(issues(s, { range: { min: 'a', max: 1 } })).toEqual(['range.min: expected an integer, got "a"']);
    expect(issues(s, { range: { min: 1, max: 1 } })).toEqual([]);
  });

  it('extends, picks and omits an object declaration', () => {
    const base = option.object({ model: option.string(), maxRetries: option.integer({ min: 0 }).default(2) });
    const factory = base.extend({ fetch: option.function<typeof fetch>().optional() });
    expect(Object.keys(factory.shape)).toEqual(['model', 'maxRetries', 'fetch']);
    expect(issues(factory, { model: 'm', fetch: 'no' })).toEqual(['fetch: expected a function, got "no"']);
    const plugin = factory.omit('fetch');
    expect(issues(plugin, { model: 'm', fetch: globalThis.fetch })[0]).toMatch(
      /^fetch: unknown option "fetch"/,
    );
    expect(Object.keys(factory.pick('model').shape)).toEqual(['model']);
    expect(option.object({ a: option.string() }).describe('x').shape).toHaveProperty('a');
  });

  it('infers the parsed type and the input type', () => {
    type Output = InferOptions<typeof schema>;
    type Input = InferOptionsInput<typeof schema>;
    const parsed: Output = parseOptions(schema, { model: 'm' }, { component: 't' });
    const batch: number = parsed.maxBatchSize; // a default makes it present
    const metric: 'cosine' | 'dot' | 'l2' | undefined = parsed.metric;
    const input: Input = { model: 'm' }; // ... and optional for the caller
    expect([batch, metric, input.model]).toEqual([64, undefined, 'm']);
    // @ts-expect-error: model is required
    const missing: Input = {};
    // @ts-expect-error: not one of the metrics
    const wrong: Input = { model: 'm', metric: 'manhattan' };
    expect([missing, wrong]).toHaveLength(2);
  });
});

describe('parseOptions', () => {
  it('returns the typed value or throws ONE INVALID_CONFIG naming component, paths, expected and got', () => {
    expect(parseOptions(schema, { model: 'm', M: 16 }, { component: 'createThing' })).toEqual({
      model: 'm',
      M: 16,
      maxBatchSize: 64,
    });
    let caught: unknown;
    try {
      parseOptions(schema, { model: 'm', M: 1, prompts: { query: 1 } }, { component: 'createThing' });
    } catch (error) {
      caught = error;
    }
    expect(isRagloomError(caught, 'INVALID_CONFIG')).toBe(true);
    const error = caught as Error & { details: unknown };
    expect(error.message).toBe(
      'invalid options for createThing: M: expected an integer from 2 to 256, got 1; ' +
        'prompts.query: expected a string, got 1',
    );
    expect(error.details).toEqual({
      component: 'createThing',
      issues: [
        { path: 'M', message: 'expected an integer from 2 to 256, got 1' },
        { path: 'prompts.query', message: 'expected a string, got 1' },
      ],
    });
  });

  it('names a problem with the options value itself without a path', () => {
    expect(() => parseOptions(schema, 'm', { component: 'x' })).toThrow(
      'invalid options for x: expected an object, got "m"',
    );
  });
});

describe('optionsJsonSchema', () => {
  it('describes the declaration in JSON Schema 2020-12', () => {
    const s = option.object({
      model: option.string().describe('The model id.'),
      baseURL: option.url().optional(),
      maxBatchSize: option.integer({ min: 1 }).default(64),
      k1: option.number({ exclusiveMin: 0, max: 3 }).optional(),
      metric: option.enum(['cosine', 'dot']).optional(),
      prompts: option
        .union([option.literal('e5'), option.object({ query: option.string({ minLength: 0 }) })])
        .optional(),
      stop: option.array(option.string(), { maxItems: 4 }).optional(),
      extraBody: option.record(option.unknown()).optional(),
    });
    expect(optionsJsonSchema(s)).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        model: { type: 'string', minLength: 1, description: 'The model id.' },
        baseURL: { type: 'string', format: 'uri' },
        maxBatchSize: { type: 'integer', minimum: 1, default: 64 },
        k1: { type: 'number', exclusiveMinimum: 0, maximum: 3 },
        metric: { enum: ['cosine', 'dot'] },
        prompts: {
          anyOf: [
            { const: 'e5' },
            {
              type: 'object',
              properties: { query: { type: 'string' } },
              required: ['query'],
              additionalProperties: false,
            },
          ],
        },
        stop: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 4 },
        extraBody: { type: 'object', additionalProperties: {} },
      },
      required: ['model'],
      additionalProperties: false,
    });
  });
});

describe('createOptionsSchema (deprecated, now built on the kit)', () => {
  const legacy = createOptionsSchema({
    M: { type: 'integer', min: 2, max: 256 },
    ratio: { type: 'number', min: 0, max: 1 },
    kernel: { type: 'enum', values: ['js', 'wasm'] },
    name: { type: 'string', required: true, pattern: /^[a-z]+$/ },
    fast: { type: 'boolean' },
  });

  it('accepts valid options and returns them', async () => {
    const options = { M: 16, ratio: 0.5, kernel: 'js', name: 'abc', fast: true };
    expect(await legacy['~standard'].validate(options)).toEqual({ value: options });
  });

  it('names every bad field by path, unknown keys included', () => {
    expect(issues(legacy, { M: 1.5, ratio: 2, kernel: 'gpu', name: 'ABC', fast: 'yes', typo: 1 })).toEqual([
      'typo: unknown option "typo"; valid options: M, ratio, kernel, name, fast',
      'M: expected an integer from 2 to 256, got 1.5',
      'ratio: expected a number from 0 to 1, got 2',
      'kernel: expected one of "js", "wasm", got "gpu"',
      'name: expected a non-empty string matching /^[a-z]+$/, got "ABC"',
      'fast: expected true or false, got "yes"',
    ]);
    expect(issues(legacy, {})).toEqual(['name: required (expected a non-empty string matching /^[a-z]+$/)']);
  });
});
