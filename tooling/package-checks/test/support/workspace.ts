import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo's root folder. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export interface WorkspacePackage {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly manifest: PackageManifest;
}

export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly license?: string;
  readonly files?: readonly string[];
  readonly bin?: Record<string, string>;
  readonly exports?: Record<string, unknown>;
  readonly imports?: Record<string, unknown>;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly repository?: { readonly directory?: string };
  readonly scripts?: Record<string, string>;
}

export function readManifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** Every workspace package under `root` (the folders pnpm-workspace.yaml names). */
export function workspacePackages(root = REPO_ROOT): WorkspacePackage[] {
  const groups = ['packages', 'apps', 'tooling', 'bench', 'examples'];
  return groups.flatMap((group) => {
    const base = join(root, group);
    if (!existsSync(base)) return [];
    return readdirSync(base)
      .map((name) => join(base, name))
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .map((dir) => {
        const manifest = readManifest(dir);
        return { name: manifest.name, version: manifest.version, dir, manifest };
      });
  });
}

/** The packages users install from the registry: every workspace package that is not private. */
export function publishedPackages(root = REPO_ROOT): WorkspacePackage[] {
  return workspacePackages(root).filter((p) => p.manifest.private !== true);
}

/** The file name `pnpm pack` gives a package's tarball. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/** An environment whose PATH has the repo's pinned pnpm (as `npm test` sets it up), for child processes. */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const pinned = (
    JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { packageManager: string }
  ).packageManager.replace(/^pnpm@/, '');
  const pnpmBin = join(REPO_ROOT, '.tools', `pnpm-${pinned}`, 'node_modules', '.bin');
  return {
    ...process.env,
    PATH: existsSync(pnpmBin) ? `${pnpmBin}${delimiter}${process.env.PATH ?? ''}` : process.env.PATH,
    // A user's offline/firewalled install: onnxruntime-node's CUDA download skipped (CPU binaries ship inside).
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    // The child npm/pnpm must not inherit the settings of the pnpm that runs this test.
    npm_config_user_agent: '',
    npm_config_prefix: '',
    npm_config_global: '',
    npm_config_node_linker: '',
    npm_execpath: '',
    ...extra,
  };
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to completion; throws with its output when it fails (unless `allowFailure`). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; allowFailure?: boolean; timeoutMs?: number },
): RunResult {
  const started = Date.now();
  const r = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? toolEnv(),
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = {
    status: r.status ?? 1,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    ms: Date.now() - started,
  };
  if (r.error) throw r.error;
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) exited ${result.status}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}
