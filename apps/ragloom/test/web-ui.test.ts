import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
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
  },
);
