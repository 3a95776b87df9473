import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as adapter from '../src/adapter/index.js';
import {
  createTimeSlicer,
  type DeleteTarget,
  parseDeleteSelector,
  raceAbort,
  requireDenseManifest,
  seededRandom,
  withApiKeyFromEnv,
  yieldToEventLoop,
} from '../src/adapter/index.js';
import * as root from '../src/index.js';
import { createMemoryKeywordRetriever, type DeleteSelector, isRagloomError } from '../src/index.js';
import { pluginContext } from './plugin-context.js';

const context = pluginContext;

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return isRagloomError(error) ? `${error.code}: ${error.message}` : `not a RagloomError: ${String(error)}`;
  }
  return undefined;
};

describe('parseDeleteSelector', () => {
  it('returns ids (deduplicated, in order) or a validated filter', () => {
    expect(parseDeleteSelector({ ids: ['b', 'a', 'b'] })).toEqual({ kind: 'ids', ids: ['b', 'a'] });
    expect(parseDeleteSelector({ ids: [] })).toEqual({ kind: 'ids', ids: [] });
    expect(parseDeleteSelector({ filter: { lang: 'en' } })).toEqual({
      kind: 'filter',
      filter: { lang: 'en' },
    });
    expect(parseDeleteSelector({ filter: {} })).toEqual({ kind: 'filter', filter: {} });
    expectTypeOf(parseDeleteSelector).returns.toEqualTypeOf<DeleteTarget>();
  });

  const refusals: [string, unknown, string][] = [
    ['null', null, 'INVALID_ARGUMENT: delete expects { ids: string[] } or { filter }'],
    ['a string', 'a', 'INVALID_ARGUMENT: delete expects { ids: string[] } or { filter }'],
    ['an array', ['a'], 'INVALID_ARGUMENT: delete expects { ids: string[] } or { filter }'],
    [
      'neither key',
      { id: ['a'] },
      'INVALID_ARGUMENT: delete expects { ids: string[] } or { filter }, got keys ["id"]',
    ],
    [
      'an undefined filter (not "everything")',
      { filter: undefined },
      'INVALID_ARGUMENT: delete expects { ids: string[] } or { filter }, got keys ["filter"]',
    ],
    [
      'both keys',
      { ids: ['a'], filter: {} },
      'INVALID_ARGUMENT: delete takes { ids } or { filter }, not both',
    ],
    ['ids as a string', { ids: 'a' }, 'INVALID_ARGUMENT: delete({ ids }) expects an array of string ids'],
    [
      'a number id',
      { ids: ['a', 7] },
      'INVALID_ARGUMENT: delete({ ids }) expects an array of string ids; ids[1] is number',
    ],
  ];
  it.each(refusals)('refuses %s', (_name, selector, expected) => {
    expect(codeOf(() => parseDeleteSelector(selector as DeleteSelector))).toBe(expected);
  });

  it('refuses a bad filter with INVALID_FILTER, and names the operation', () => {
    expect(codeOf(() => parseDeleteSelector({ filter: { n: { $near: 1 } } } as never))).toMatch(
      /^INVALID_FILTER/,
    );
    expect(codeOf(() => parseDeleteSelector(null as never, 'Qdrant delete'))).toMatch(
      /^INVALID_ARGUMENT: Qdrant delete expects/,
    );
  });

  it("core's reference retrievers refuse a bad selector and delete nothing", async () => {
    const retriever = createMemoryKeywordRetriever();
    await retriever.upsert([
      { id: 'a', text: 'alpha' },
      { id: 'b', text: 'beta' },
    ]);
    // A string would once have deleted the records named by its characters.
    await expect(retriever.delete({ ids: 'ab' } as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(retriever.delete({ ids: ['a'], filter: {} } as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await retriever.count()).toBe(2);
    expect(await retriever.delete({ ids: ['a', 'a', 'zzz'] })).toEqual({ deleted: 1 });
  });
});

describe('yieldToEventLoop and createTimeSlicer', () => {
  it('lets a pending timer and I/O callback run in between', async () => {
    const order: string[] = [];
    setTimeout(() => order.push('timer'), 0);
    const started = performance.now();
    while (performance.now() - started < 5) {
      // Busy: the timer is due but cannot run until we yield.
    }
    order.push('before');
    await yieldToEventLoop();
    await yieldToEventLoop();
    order.push('after');
    expect(order).toEqual(['before', 'timer', 'after']);
  });

  it('falls back to a zero timeout where there is no setImmediate (browsers)', async () => {
    const saved = globalThis.setImmediate;
    delete (globalThis as { setImmediate?: unknown }).setImmediate;
    try {
      let fired = false;
      setTimeout(() => {
        fired = true;
      }, 0);
      await yieldToEventLoop();
      await yieldToEventLoop();
      expect(fired).toBe(true);
    } finally {
      globalThis.setImmediate = saved;
    }
  });

  it('is due once a slice is used up, and an abort ends the loop with ABORTED', async () => {
    let clock = 0;
    const controller = new AbortController();
    const slicer = createTimeSlicer({
      sliceMs: 10,
      signal: controller.signal,
      what: 'upsert',
      now: () => clock,
    });
    expect(slicer.due()).toBe(false);
    clock = 10;
    expect(slicer.due()).toBe(true);
    await slicer.yield();
    expect(slicer.due()).toBe(false);
    clock = 25;
    controller.abort();
    await expect(slicer.yield()).rejects.toMatchObject({ code: 'ABORTED', message: 'upsert was aborted' });
  });

  it('a sliced loop stays responsive: a timer set during it runs before it ends', async () => {
    // A counting clock (one tick per read) instead of wall time: a descheduled test process on a loaded
    // machine must not end the loop before it ever yields.
    let tick = 0;
    const slicer = createTimeSlicer({ sliceMs: 2, now: () => tick++ });
    let timerRanAt = -1;
    setTimeout(() => {
      timerRanAt = iterations;
    }, 1);
    let iterations = 0;
    let yields = 0;
    while (timerRanAt < 0 && yields < 100_000) {
      iterations++;
      if (slicer.due()) {
        yields++;
        await slicer.yield();
      }
    }
    expect(timerRanAt).toBeGreaterThan(0);
    expect(yields).toBeLessThan(100_000);
  });

  it('a loop that never yields starves the same timer (the test above can fail)', async () => {
    let timerRan = false;
    setTimeout(() => {
      timerRan = true;
    }, 1);
    const started = performance.now();
    while (performance.now() - started < 5) {
      // busy, no yield
    }
    expect(timerRan).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 2));
    expect(timerRan).toBe(true);
  });
});

describe('plugin helpers in the kit', () => {
  it('withApiKeyFromEnv is typed: apiKeyEnv out, apiKey in', () => {
    process.env.RAGLOOM_KIT_TEST_KEY = 'sk-kit';
    const options = { model: 'm', apiKeyEnv: 'RAGLOOM_KIT_TEST_KEY' } as const;
    const out = withApiKeyFromEnv(options, context());
    expectTypeOf(out).toEqualTypeOf<
      Omit<typeof options, 'apiKeyEnv'> & { readonly apiKey?: string | undefined }
    >();
    expect(out).toEqual({ model: 'm', apiKey: 'sk-kit' });
    const warnings: string[] = [];
    const unset = withApiKeyFromEnv(
      { model: 'm' },
      context({ log: (_l, m) => warnings.push(m) }),
      'RAGLOOM_KIT_UNSET',
    );
    expect(unset).toEqual({ model: 'm', apiKey: undefined });
    expect(warnings).toEqual(['dense: the environment variable RAGLOOM_KIT_UNSET (apiKeyEnv) is not set']);
    expect(withApiKeyFromEnv({ model: 'm' }, context())).toEqual({ model: 'm' });
    expect(codeOf(() => withApiKeyFromEnv({ apiKeyEnv: 3 } as never, context()))).toMatch(
      /^INVALID_CONFIG: dense: apiKeyEnv must name/,
    );
  });

  it('requireDenseManifest and seededRandom are the same functions as the root exports', () => {
    expect(requireDenseManifest).toBe(root.requireDenseManifest);
    expect(withApiKeyFromEnv).toBe(root.withApiKeyFromEnv);
    expect(seededRandom).toBe(root.seededRandom);
    expect(adapter.parseRetryAfter).toBe(root.parseRetryAfter);
  });
});

describe('the @ragloom/core/adapter entry', () => {
  it('is declared in package.json exports, types first', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    expect(pkg.exports['./adapter']).toEqual({
      types: './dist/adapter/index.d.ts',
      default: './dist/adapter/index.js',
    });
    // Core's one runtime dependency is the Porter stemmer of extractive answers (the one BM25's English
    // analyzer uses): dependency-free ESM with no Node import, so core still loads in a browser.
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['stemmer']);
    const stemmerDir = dirname(createRequire(import.meta.url).resolve('stemmer'));
    const stemmerPkg = JSON.parse(readFileSync(join(stemmerDir, 'package.json'), 'utf8'));
    expect(stemmerPkg.type).toBe('module');
    expect(stemmerPkg.dependencies).toBeUndefined();
    expect(readFileSync(join(stemmerDir, stemmerPkg.main), 'utf8')).not.toMatch(
      /['"]node:|require\(|process\./,
    );
  });

  it('stays browser-safe: nothing it loads imports node: or uses Node globals bare', () => {
    // Every module @ragloom/core/adapter loads, followed through relative imports from its index.
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/from\s+['"]node:|import\(\s*['"]node:|require\(/);
      expect(code, file).not.toMatch(/(?<![.\w'])(process|Buffer|__dirname)\b(?!\??:)/);
      for (const [, target] of code.matchAll(/from\s+'([^']+)'/g)) {
        expect(target, `${file} imports ${target}`).toMatch(/^\.\.?\//);
        visit(join(dirname(file), String(target).replace(/\.js$/, '.ts')));
      }
    };
    visit(join(import.meta.dirname, '..', 'src', 'adapter', 'index.ts'));
    expect(seen.size).toBeGreaterThan(10);
  });
});

describe('raceAbort', () => {
  it('settles with the work when no abort comes, and stops waiting with ABORTED when one does', async () => {
    expect(await raceAbort(Promise.resolve(7), undefined, 'work')).toBe(7);
    expect(await raceAbort(Promise.resolve(7), new AbortController().signal, 'work')).toBe(7);
    await expect(
      raceAbort(Promise.reject(new Error('boom')), new AbortController().signal, 'work'),
    ).rejects.toThrow('boom');

    const controller = new AbortController();
    let finish: (value: number) => void = () => {};
    const never = new Promise<number>((resolve) => {
      finish = resolve;
    });
    const raced = raceAbort(never, controller.signal, 'a slow call');
    controller.abort();
    await expect(raced).rejects.toMatchObject({ code: 'ABORTED' });
    finish(1); // the abandoned work may still end; nobody waits for it

    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const aborted = AbortSignal.abort();
      await expect(raceAbort(Promise.reject(new Error('late')), aborted, 'work')).rejects.toMatchObject({
        code: 'ABORTED',
      });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
