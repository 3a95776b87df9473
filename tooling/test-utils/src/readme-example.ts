import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ReadmeExampleOptions {
  /** The README file. */
  readonly readme: string;
  /** The first ```ts block after this heading is run. */
  readonly heading: string;
  /** A folder beside the test to write the block into (removed afterwards). */
  readonly dir: string;
  /** Import specifiers to rewrite, e.g. `{ '@ragloom/ai-sdk': '../../src/index.js' }`. */
  readonly imports?: Readonly<Record<string, string>>;
  /** Environment variables set while the block runs (restored afterwards). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs a README's code block as written (imports of the package pointed at its sources) and returns what it
 * passed to `console.log`, so a test can check the block prints what its comments say.
 */
export async function runReadmeExample(options: ReadmeExampleOptions): Promise<unknown[]> {
  const text = readFileSync(options.readme, 'utf8');
  const section = text.slice(Math.max(0, text.indexOf(options.heading)));
  let code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined)
    throw new Error(`no \`\`\`ts block under "${options.heading}" in ${options.readme}`);
  for (const [from, to] of Object.entries(options.imports ?? {}))
    code = code.replaceAll(`from '${from}'`, `from '${to}'`);
  const logged: unknown[] = [];
  const key = `__readmeLog${Date.now()}${Math.random().toString(36).slice(2)}`;
  const prelude = `const console = { log: (...a: unknown[]) => (globalThis as Record<string, unknown[]>)['${key}']!.push(...a) };\n`;
  mkdirSync(options.dir, { recursive: true });
  const file = join(options.dir, `example-${key}.ts`);
  writeFileSync(file, `${prelude}${code}\nexport {};\n`);
  const saved = Object.keys(options.env ?? {}).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, options.env);
  (globalThis as Record<string, unknown>)[key] = logged;
  try {
    await import(pathToFileURL(file).href);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    delete (globalThis as Record<string, unknown>)[key];
    rmSync(options.dir, { recursive: true, force: true });
  }
  return logged;
}
