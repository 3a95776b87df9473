// The README's two code blocks that claim to run — the example and the whole adapter — are run as written.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type LocalServer, readBody, startLocalServer } from '@ragloom/test-utils';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EncoderV1, RagloomPluginV1 } from '../src/index.js';
import { pluginContext } from './plugin-context.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const dir = join(import.meta.dirname, '.readme');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first ```ts block after `heading`, written beside this test with core's imports pointed at src/. */
function write(heading: string, name: string, prelude = ''): string {
  const section = readme.slice(readme.indexOf(heading));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code, `a \`\`\`ts block under "${heading}"`).toBeDefined();
  const rewritten = (code ?? '')
    .replaceAll("from '@ragloom/core/adapter'", "from '../../src/adapter/index.js'")
    .replaceAll("from '@ragloom/core'", "from '../../src/index.js'");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `${prelude}${rewritten}\nexport {};\n`);
  return file;
}

const load = async (heading: string, name: string, prelude = ''): Promise<Record<string, unknown>> =>
  import(pathToFileURL(write(heading, name, prelude)).href);

const logPrelude =
  'const console = { log: (...a: unknown[]) => (globalThis as { __readmeLog?: unknown[] }).__readmeLog?.push(...a) };\n';

it("type-checks every README block that claims to run, with the package's compiler settings", () => {
  const files = [
    write('## Example', 'example-types', logPrelude),
    write('### A whole adapter', 'adapter-types'),
  ];
  const root = join(import.meta.dirname, '..');
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram(files, { ...options, noEmit: true });
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.includes(d.file.fileName))
    .map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(problems).toEqual([]);
}, 60_000);

it('runs the example and prints what its comments say', async () => {
  const logged: unknown[] = [];
  (globalThis as { __readmeLog?: unknown[] }).__readmeLog = logged;
  await load('## Example', 'example', logPrelude);
  expect(logged).toEqual([
    'Options are declared once. [1] The declaration is the Standard Schema. [1]',
    'kit.md',
    'INVALID_FILTER',
  ]);
});

describe('the "whole adapter" of "Writing an adapter", against a local server', () => {
  let server: LocalServer;
  const seen: { auth: string | undefined; body: unknown }[] = [];
  let failNext: number[] = [];
  beforeAll(async () => {
    server = await startLocalServer(async (req, res) => {
      const body = JSON.parse(await readBody(req)) as { model: string; input: string[] };
      seen.push({ auth: req.headers.authorization, body });
      const status = failNext.shift();
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'application/json', 'retry-after-ms': '1' });
        res.end(JSON.stringify({ error: { message: `failing with ${status}` } }));
        return;
      }
      if (body.model === 'missing') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'The model `missing` does not exist' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: body.input.map((t) => ({ embedding: [t.length, 1, 0] })) }));
    });
  });
  afterAll(() => server.close());

  const context = pluginContext({ kind: 'encoder', name: 'encoder' });

  it('embeds, retries a 503, maps 401 and 404, and refuses bad options as one INVALID_CONFIG', async () => {
    const module = await load('### A whole adapter', 'adapter');
    const plugin = module.ragloomPlugin as RagloomPluginV1;
    const createAcmeEncoder = module.createAcmeEncoder as (options: unknown) => EncoderV1;

    process.env.ACME_API_KEY = 'sk-readme';
    const encoder = await plugin.encoder!.create(
      { model: 'small', baseURL: `${server.url}/v1`, dimension: 3 },
      context,
    );
    expect(encoder.modelId).toBe('acme:small');
    failNext = [503];
    const { embeddings } = await encoder.embed({ texts: ['ab', 'abcd'], inputType: 'document' });
    expect(embeddings.map((v) => [...v])).toEqual([
      [2, 1, 0],
      [4, 1, 0],
    ]);
    expect(seen.map((s) => s.auth)).toEqual(['Bearer sk-readme', 'Bearer sk-readme']);

    failNext = [401];
    await expect(encoder.embed({ texts: ['x'], inputType: 'query' })).rejects.toMatchObject({
      code: 'AUTH_ERROR',
      message: `POST ${server.url}/v1/embeddings failed: HTTP 401 (unauthorized): failing with 401`,
    });
    const missing = createAcmeEncoder({ model: 'missing', baseURL: server.url, dimension: 3 });
    await expect(missing.embed({ texts: ['x'], inputType: 'query' })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      retryable: false,
    });

    expect(() => createAcmeEncoder({ model: 'm', dimension: 0, baseURL: 'nope', modle: 'x' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        details: {
          component: 'createAcmeEncoder',
          issues: [
            {
              path: 'modle',
              message:
                'unknown option "modle" (did you mean "model"?); valid options: model, baseURL, apiKey, dimension, maxBatchSize, maxRetries, fetch',
            },
            { path: 'baseURL', message: 'expected an http(s) URL, got "nope"' },
            { path: 'dimension', message: 'expected an integer from 1 to 65536, got 0' },
          ],
        },
      }),
    );
    // The plugin's schema refuses what only code may pass: a key in the config, a fetch.
    const issues = await plugin.encoder!.optionsSchema!['~standard'].validate({
      model: 'm',
      dimension: 3,
      apiKey: 'sk',
    });
    expect(issues.issues?.map((i) => i.path)).toEqual([['apiKey']]);
  });
});
