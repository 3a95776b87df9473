import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalServer, startLocalServer } from '@ragloom/test-utils';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHnswRetriever, hnswRetrieverFromBytes } from '../src/index.js';
import { clusteredSet } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const packageDist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const coreDist = dirname(createRequire(import.meta.url).resolve('@ragloom/core'));
// Core's own runtime dependencies (browser-safe ES modules), each served from its folder under /deps/.
const requireFromCore = createRequire(createRequire(import.meta.url).resolve('@ragloom/core/package.json'));
const coreDependencies = Object.keys(
  (
    JSON.parse(readFileSync(requireFromCore.resolve('@ragloom/core/package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    }
  ).dependencies ?? {},
).map((name) => {
  const entry = requireFromCore.resolve(name);
  return { name, folder: dirname(entry), file: basename(entry) };
});
const DIM = 16;
const { records, queries } = clusteredSet(600, 5, DIM, 41);

/** The built package in a plain page: @ragloom/core through an import map, nothing bundled. */
const imports = {
  '@ragloom/core': '/core/index.js',
  '@ragloom/core/adapter': '/core/adapter/index.js',
  ...Object.fromEntries(coreDependencies.map((d) => [d.name, `/deps/${d.name}/${d.file}`])),
};
const page = `<!doctype html><html><head>
<script type="importmap">${JSON.stringify({ imports })}</script>
</head><body></body></html>`;

describe.skipIf(!existsSync(CHROMIUM) || !existsSync(join(packageDist, 'index.js')))(
  'in a browser (headless Chromium; skipped without /usr/bin/chromium or a build)',
  () => {
    let server: LocalServer;
    let browser: Browser;

    beforeAll(async () => {
      server = await startLocalServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const dependency = coreDependencies.find((d) => url.pathname.startsWith(`/deps/${d.name}/`));
        const [root, rest] = url.pathname.startsWith('/hnsw/')
          ? [packageDist, url.pathname.slice(6)]
          : url.pathname.startsWith('/core/')
            ? [coreDist, url.pathname.slice(6)]
            : dependency
              ? [dependency.folder, url.pathname.slice(`/deps/${dependency.name}/`.length)]
              : [undefined, ''];
        if (root === undefined) {
          res.writeHead(200, { 'content-type': 'text/html' }).end(page);
          return;
        }
        const file = normalize(join(root, rest));
        if (!file.startsWith(root) || !existsSync(file)) {
          res.writeHead(404).end();
          return;
        }
        const type = extname(file) === '.js' ? 'text/javascript' : 'application/octet-stream';
        res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('builds, filters and searches with the wasm kernel; its bytes load in Node with the same answers', async () => {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(String(e)));
      await tab.goto(server.url);
      const input = { records, queries, dimension: DIM };
      // Sent as source text: the test runner rewrites dynamic import() in functions it compiles.
      const script = `(async ({ records, queries, dimension }) => {
        const hnsw = await import('/hnsw/index.js');
        const index = hnsw.createHnswRetriever({
          encoderModelId: 'browser/test',
          dimension,
          metric: 'cosine',
          fullScanThreshold: 0,
        });
        await index.upsert(records);
        const hits = [];
        for (const vector of queries) hits.push(await index.search({ vector, k: 5, filter: { bucket: { $lt: 5 } } }));
        return { kernel: index.stats().kernel, hits, bytes: Array.from(index.toBytes()) };
      })(${JSON.stringify(input)})`;
      const result = (await tab.evaluate(script)) as {
        kernel: string;
        hits: unknown[];
        bytes: number[];
      };
      expect(errors).toEqual([]);
      expect(result.kernel).toBe('wasm-simd');

      // The same records in Node build the same graph (same seed), so the answers agree exactly.
      const node = createHnswRetriever({
        encoderModelId: 'browser/test',
        dimension: DIM,
        metric: 'cosine',
        fullScanThreshold: 0,
      });
      await node.upsert(records);
      const fromBrowser = hnswRetrieverFromBytes(Uint8Array.from(result.bytes), { fullScanThreshold: 0 });
      for (let q = 0; q < queries.length; q++) {
        const request = { vector: queries[q]!, k: 5, filter: { bucket: { $lt: 5 } } };
        const expected = await node.search(request);
        expect(result.hits[q]).toEqual(JSON.parse(JSON.stringify(expected)));
        expect(await fromBrowser.search(request)).toEqual(expected);
      }
      await tab.close();
    });
  },
);
