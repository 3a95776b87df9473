import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
import type { RagloomConfigInput } from '../src/config/config-schema.js';
import { ingestFiles } from '../src/ingest/ingest-files.js';
import { openRuntime, type RagloomRuntime } from '../src/runtime/open-runtime.js';
import { createRagloomServer, type RagloomServer } from '../src/server/create-server.js';
import { APP_DIR, DOCS, FIXTURE_PLUGINS, HYBRID_CONFIG, makeProject } from './helpers/project.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = join(APP_DIR, 'test-results');

let runtime: RagloomRuntime;
let server: RagloomServer;
let url: string;

beforeAll(async () => {
  const dir = makeProject(DOCS, {
    ...HYBRID_CONFIG,
    generator: { use: join(FIXTURE_PLUGINS, 'slow-generator.mjs'), options: { tokenDelayMs: 60 } },
  });
  runtime = await openRuntime(await loadConfig({ cwd: dir, env: {} }), { generator: true, access: 'write' });
  await ingestFiles(runtime, { paths: [join(dir, 'docs')] });
  server = createRagloomServer(runtime);
  url = await server.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await server?.close(100);
  await runtime?.close();
});

/** A server of its own for one test: a project with `docs`, a config and server options. */
async function startServer(
  docs: Record<string, string>,
  config: RagloomConfigInput,
  options: Parameters<typeof createRagloomServer>[1] = {},
) {
  const dir = makeProject(docs, config);
  const own = await openRuntime(await loadConfig({ cwd: dir, env: {} }), {
    generator: true,
    access: 'write',
  });
  await ingestFiles(own, { paths: [join(dir, 'docs')] });
  const ownServer = createRagloomServer(own, options);
  const ownUrl = await ownServer.listen(0, '127.0.0.1');
  return {
    url: ownUrl,
    async close() {
      await ownServer.close(100);
      await own.close();
    },
  };
}

const launch = () =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });

const MARKDOWN_REPLY = [
  'Use **port 8787** and `RAGLOOM_PORT` [1].',
  '',
  '```js',
  'const ok = 1 < 2 && "<b>";',
  '```',
  '',
  '- first <img src=x onerror="window.injected=1">',
  '- second [docs](javascript:window.injected=2) and [site](https://example.com/)',
].join('\n');

describe.skipIf(!existsSync(CHROMIUM))(
  'web UI in headless Chromium (skipped when /usr/bin/chromium is not installed)',
  () => {
    it('streams an answer, and a citation opens its source passage', async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(url);
        await expect.poll(() => page.textContent('#mode')).toContain('retrieval: hybrid');

        await page.fill('#question', 'What port does the server listen on?');
        await page.keyboard.press('Enter');
        const answer = page.locator('.message.assistant').first();
        // Mid-stream: some words shown while the answer is still busy.
        await page.waitForSelector('.message.assistant[aria-busy="true"] .body:not(:empty)');
        const partial = (await answer.locator('.body').textContent()) ?? '';
        await page.waitForSelector('.message.assistant[data-done="true"]');
        const full = (await answer.locator('.body').textContent()) ?? '';
        expect(partial.length).toBeGreaterThan(0);
        expect(full.length).toBeGreaterThan(partial.length);
        expect(full).toContain('Answer to: What port does the server listen on? [1]');

        // The sources panel lists the passages; the [1] button shows what it cites.
        expect(await page.locator('#sources .source').count()).toBeGreaterThan(0);
        await answer.locator('button.cite[data-n="1"]').click();
        const active = page.locator('#sources .source.active');
        await expect.poll(() => active.count()).toBe(1);
        const label = await active.locator('.quote .label').first().textContent();
        expect(label).toMatch(/^docs\/\S+:\d+(-\d+)?$/);
        expect(await active.locator('.text').textContent()).toBeTruthy();

        await mkdir(RESULTS, { recursive: true });
        await page.screenshot({ path: join(RESULTS, 'web-ui.png'), fullPage: true });
        expect(existsSync(join(RESULTS, 'web-ui.png'))).toBe(true);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    });

    it('asks for the API key before the first question, and renders answers as sanitised Markdown', async () => {
      const own = await startServer(
        DOCS,
        {
          ...HYBRID_CONFIG,
          generator: {
            use: join(FIXTURE_PLUGINS, 'slow-generator.mjs'),
            options: { tokenDelayMs: 1, reply: MARKDOWN_REPLY },
          },
        },
        { apiKey: 'sekret-key' },
      );
      const browser = await launch();
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(own.url);
        // The key field is there before anything was asked.
        await page.waitForSelector('#key-form:not([hidden])');
        await page.fill('#key-input', 'sekret-key');
        await page.click('#key-form button[type="submit"]');
        await page.waitForSelector('#key-form[hidden]', { state: 'attached' });

        await page.fill('#question', 'Which port?');
        await page.keyboard.press('Enter');
        await page.waitForSelector('.message.assistant[data-done="true"]');
        const body = page.locator('.message.assistant .body').first();
        expect(await body.locator('strong').first().textContent()).toBe('port 8787');
        expect(await body.locator('p code').first().textContent()).toBe('RAGLOOM_PORT');
        expect(await body.locator('pre code[data-language="js"]').textContent()).toBe(
          'const ok = 1 < 2 && "<b>";',
        );
        expect(await body.locator('ul > li').count()).toBe(2);
        expect(await body.locator('button.cite[data-n="1"]').count()).toBe(1);
        // Markup in the answer is text: no element, no script ran, no javascript: link.
        expect(await body.locator('img, b').count()).toBe(0);
        expect(await body.textContent()).toContain('first <img src=x onerror="window.injected=1">');
        expect(await body.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
          'https://example.com/',
        ]);
        expect(await page.evaluate(() => (window as { injected?: number }).injected)).toBeUndefined();
        expect(await body.textContent()).not.toMatch(/```|\*\*/);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
        await own.close();
      }
    });

    it('scrolls the quoted sentence of a long passage into view', async () => {
      const filler = Array.from(
        { length: 40 },
        (_, i) => `Paragraph filler sentence number ${i} talks about gardening and weather.`,
      ).join(' ');
      const own = await startServer(
        { 'docs/long.md': `# Long\n\n${filler} The backup server keeps snapshots for ninety days.\n` },
        { ...HYBRID_CONFIG, chunker: { type: 'markdown', chunkSize: 4000, chunkOverlap: 0 } },
      );
      const browser = await launch();
      try {
        const page = await browser.newPage({ viewport: { width: 1000, height: 420 } });
        await page.goto(own.url);
        await page.fill('#question', 'How long does the backup server keep snapshots?');
        await page.keyboard.press('Enter');
        await page.waitForSelector('.message.assistant[data-done="true"]');
        await page.locator('.message.assistant button.cite[data-n="1"]').first().click();
        const mark = page.locator('#sources .source.active mark');
        await expect.poll(() => mark.count()).toBe(1);
        expect(await mark.textContent()).toContain('ninety days');
        // The mark lies inside the visible part of the scrolled sources panel.
        const inView = await page.evaluate(() => {
          const m = document.querySelector('#sources .source.active mark')!.getBoundingClientRect();
          const panel = document.querySelector('.sources')!.getBoundingClientRect();
          const top = Math.max(panel.top, 0);
          const bottom = Math.min(panel.bottom, window.innerHeight);
          return {
            ok: m.top >= top - 1 && m.bottom <= bottom + 1,
            scrolled: document.querySelector('.sources')!.scrollTop,
          };
        });
        expect(inView.ok).toBe(true);
        expect(inView.scrolled).toBeGreaterThan(0);
      } finally {
        await browser.close();
        await own.close();
      }
    });
  },
);
