import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';

const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory();

/** A reference that is a filesystem path rather than a hub id. */
export function isPathReference(ref: string): boolean {
  return isAbsolute(ref) || /^(\.{1,2}|~)([/\\]|$)/.test(ref);
}

/**
 * Maps a model reference through the user's model folder: `Xenova/all-MiniLM-L6-v2` becomes
 * `<models>/Xenova/all-MiniLM-L6-v2` or `<models>/all-MiniLM-L6-v2` when such a folder exists; a relative
 * path is taken relative to the config folder; anything else stays a Hugging Face id.
 */
export function resolveModelReference(
  ref: string,
  configDir: string,
  modelsPath: string | undefined,
): string {
  if (isPathReference(ref)) return ref.startsWith('~') ? ref : resolve(configDir, ref);
  if (modelsPath) {
    for (const candidate of [join(modelsPath, ref), join(modelsPath, basename(ref))]) {
      if (isDir(candidate)) return candidate;
    }
  }
  return ref;
}

/** What kind of model a folder holds, judged from its `config.json` (`architectures`, `model_type`). */
export type ModelFolderKind = 'encoder' | 'reranker' | 'generator' | 'unknown';

export function modelFolderKind(dir: string): ModelFolderKind {
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath) || !existsSync(join(dir, 'tokenizer.json'))) return 'unknown';
  let config: { architectures?: unknown; model_type?: unknown };
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch {
    return 'unknown';
  }
  const archs = Array.isArray(config.architectures) ? config.architectures.map(String) : [];
  if (archs.some((a) => /ForCausalLM$|LMHeadModel$/.test(a))) return 'generator';
  if (archs.some((a) => /ForSequenceClassification$/.test(a))) return 'reranker';
  if (archs.some((a) => /Model$/.test(a))) return 'encoder';
  return 'unknown';
}

/** The model folders directly inside `modelsPath` (and one level down, for `org/name` layouts), by kind. */
export function listModelFolders(modelsPath: string): { dir: string; name: string; kind: ModelFolderKind }[] {
  if (!isDir(modelsPath)) return [];
  const out: { dir: string; name: string; kind: ModelFolderKind }[] = [];
  const visit = (dir: string, name: string, depth: number) => {
    const kind = modelFolderKind(dir);
    if (kind !== 'unknown') {
      out.push({ dir, name, kind });
      return;
    }
    if (depth === 0) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) {
        visit(join(dir, entry.name), name ? `${name}/${entry.name}` : entry.name, depth - 1);
      }
    }
  };
  visit(modelsPath, '', 2);
  return out;
}
