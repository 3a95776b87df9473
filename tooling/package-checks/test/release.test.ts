import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import semver from 'semver';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type PackageManifest,
  REPO_ROOT,
  readManifest,
  run,
  tarballName,
  workspacePackages,
} from './support/workspace.js';

const require = createRequire(import.meta.url);
const changesetBin = join(require.resolve('@changesets/cli/package.json'), '..', 'bin.js');
const RANGE_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'] as const;

/**
 * A copy of the workspace with what `changeset version` reads and writes (manifests, READMEs, LICENSEs,
 * .changeset/) and each package's workspace dependencies linked the way `pnpm install` links them, so
 * `pnpm pack` can turn `workspace:` ranges into real ones. No build output: ranges, not code, are tested here.
 */
function copyForRelease(to: string): void {
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.npmrc']) {
    if (existsSync(join(REPO_ROOT, file))) cpSync(join(REPO_ROOT, file), join(to, file));
  }
  cpSync(join(REPO_ROOT, '.changeset'), join(to, '.changeset'), { recursive: true });
  const packages = workspacePackages();
  const dirOf = new Map(packages.map((p) => [p.name, join(to, relative(REPO_ROOT, p.dir))]));
  for (const p of packages) {
    const dir = dirOf.get(p.name)!;
    mkdirSync(dir, { recursive: true });
    for (const file of ['package.json', 'README.md', 'LICENSE']) {
      if (existsSync(join(p.dir, file))) cpSync(join(p.dir, file), join(dir, file));
    }
    const all = { ...p.manifest.dependencies, ...p.manifest.peerDependencies, ...p.manifest.devDependencies };
    for (const [name, range] of Object.entries(all)) {
      if (!range.startsWith('workspace:')) continue;
      const link = join(dir, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(dirOf.get(name)!, link, 'dir');
    }
  }
}

describe('a release as `changeset version` then `pnpm publish` make it', () => {
  let repo: string;
  let released: Map<string, { manifest: PackageManifest; packed: PackageManifest; files: string[] }>;

  beforeAll(() => {
    repo = join(inject('scratch'), 'release');
    mkdirSync(repo);
    copyForRelease(repo);
    run(process.execPath, [changesetBin, 'version'], { cwd: repo });
    released = new Map();
    const out = join(repo, '.packed');
    mkdirSync(out);
    for (const p of workspacePackages(repo).filter((w) => w.manifest.private !== true)) {
      run('pnpm', ['pack', '--pack-destination', out], { cwd: p.dir });
      const tarball = join(out, tarballName(p.name, p.version));
      const unpacked = join(out, p.name.replace('/', '+'));
      mkdirSync(unpacked);
      run('tar', ['-xzf', tarball, '-C', unpacked], { cwd: out });
      released.set(p.name, {
        manifest: p.manifest,
        packed: readManifest(join(unpacked, 'package')),
        files: readdirSync(join(unpacked, 'package')),
      });
    }
  });

  it('consumes every changeset, the app’s included (no changeset is left behind)', () => {
    expect(
      readdirSync(join(repo, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md'),
    ).toEqual([]);
    expect(released.get('ragloom')?.manifest.version).not.toBe('0.0.0');
  });

  it('ships CHANGELOG.md, README.md and LICENSE in every package', () => {
    for (const [name, { files }] of released) {
      expect(files, name).toEqual(expect.arrayContaining(['CHANGELOG.md', 'README.md', 'LICENSE']));
    }
  });

  it('gives each inter-package range the released version and its next patch (no ^0.0.x that pins one version)', () => {
    const checked: string[] = [];
    for (const [name, { packed }] of released) {
      for (const field of RANGE_FIELDS) {
        for (const [dep, range] of Object.entries(packed[field] ?? {})) {
          const target = released.get(dep);
          if (!target) continue;
          const version = target.manifest.version;
          expect(range, `${name} ${field}.${dep}`).not.toMatch(/^workspace:/);
          expect(semver.satisfies(version, range), `${name} → ${dep}@${version} in "${range}"`).toBe(true);
          expect(
            semver.satisfies(semver.inc(version, 'patch')!, range),
            `${name} → ${dep} patch in "${range}"`,
          ).toBe(true);
          checked.push(`${name} → ${dep}`);
        }
      }
    }
    expect(checked).toContain('ragloom → @ragloom/core');
    expect(checked).toContain('@ragloom/encoder-onnx → @ragloom/onnx-model');
  });
});
