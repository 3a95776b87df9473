import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The web UI shipped with the app (`public/` in the package). */
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/** A file of the web UI for an already decoded URL path, or undefined (never anything outside `dir`). */
export async function readStaticFile(
  dir: string,
  urlPath: string,
): Promise<{ body: Buffer; type: string } | undefined> {
  const rel = urlPath === '/' ? 'index.html' : urlPath.slice(1);
  const full = normalize(join(dir, rel));
  if (!full.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return undefined;
  const type = TYPES[extname(full)];
  if (!type) return undefined;
  try {
    return { body: await readFile(full), type };
  } catch {
    return undefined;
  }
}
