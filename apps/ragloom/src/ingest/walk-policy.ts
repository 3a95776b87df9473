import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** How a folder walk treats symbolic links (`ingest.followSymlinks`). */
export type FollowSymlinks = 'inside' | 'never' | 'all';

/**
 * Whether a link found while walking `root` may be followed to `target` (both real paths): `inside`
 * follows links that stay within the folder being ingested, `never` none, `all` any.
 */
export function linkAllowed(policy: FollowSymlinks, root: string, target: string): boolean {
  if (policy === 'all') return true;
  if (policy === 'never') return false;
  const rel = relative(root, target);
  return (
    rel === '' ||
    (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel))
  );
}

/** Path of `path` below `base` with forward slashes, as gitignore patterns are written. */
function posixRelative(base: string, path: string): string {
  return relative(base, path).split(sep).join('/');
}

/**
 * The ignore rules in force in one folder of a walk: `ingest.exclude` (gitignore syntax, relative to the
 * walked root) and every `.gitignore` from the root down to this folder, each relative to its own folder.
 */
export interface IgnoreScope {
  /** Why `path` is left out, or undefined when it is kept. */
  reasonFor(path: string, isDirectory: boolean): string | undefined;
  /** The scope of a subfolder: these rules plus the subfolder's own .gitignore. */
  enter(dir: string): IgnoreScope;
}

function readGitignore(dir: string): Ignore | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, '.gitignore'), 'utf8');
  } catch {
    return undefined;
  }
  return ignore().add(text);
}

function scope(
  root: string,
  exclude: Ignore,
  gitignores: readonly { readonly base: string; readonly rules: Ignore }[],
  useGitignore: boolean,
): IgnoreScope {
  return {
    reasonFor(path, isDirectory) {
      const suffix = isDirectory ? '/' : '';
      if (exclude.ignores(posixRelative(root, path) + suffix))
        return 'excluded by ingest.exclude / --exclude';
      // Deeper .gitignore files override shallower ones, as in git: the last verdict wins.
      let verdict: boolean | undefined;
      for (const { base, rules } of gitignores) {
        const result = rules.test(posixRelative(base, path) + suffix);
        if (result.ignored) verdict = true;
        else if (result.unignored) verdict = false;
      }
      return verdict ? 'ignored by .gitignore' : undefined;
    },
    enter(dir) {
      const own = useGitignore ? readGitignore(dir) : undefined;
      return own ? scope(root, exclude, [...gitignores, { base: dir, rules: own }], useGitignore) : this;
    },
  };
}

/** The ignore scope at a walked root. */
export function rootIgnoreScope(
  root: string,
  exclude: readonly string[],
  useGitignore: boolean,
): IgnoreScope {
  return scope(root, ignore().add([...exclude]), [], useGitignore).enter(root);
}
