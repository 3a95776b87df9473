import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { publishedPackages, run } from './support/workspace.js';

const require = createRequire(import.meta.url);
const attwBin = join(require.resolve('@arethetypeswrong/cli/package.json'), '..', 'dist', 'index.js');

/** The files of a tarball, without npm's `package/` prefix. */
function tarballFiles(tarball: string): string[] {
  return run('tar', ['-tzf', tarball], { cwd: inject('scratch') })
    .stdout.split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
}

function packedManifest(tarball: string): Record<string, unknown> {
  const dir = mkdtempSync(join(inject('scratch'), 'manifest-'));
  run('tar', ['-xzf', tarball, '-C', dir, 'package/package.json'], { cwd: dir });
  return JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8')) as Record<string, unknown>;
}

describe('every published tarball, as pnpm pack makes it', () => {
  const packages = publishedPackages();

  it('covers every package users install, the ragloom CLI included', () => {
    const names = packages.map((p) => p.name);
    expect(names).toContain('ragloom');
    expect(names).toContain('@ragloom/core');
    expect(Object.keys(inject('tarballs')).sort()).toEqual([...names].sort());
  });

  for (const p of packages) {
    it(`${p.name}: LICENSE, a README with an example, CHANGELOG.md in files, no tests, no workspace: ranges`, () => {
      const tarball = inject('tarballs')[p.name]!;
      const files = tarballFiles(tarball);
      expect(files).toContain('LICENSE');
      expect(files).toContain('README.md');
      expect(p.manifest.files).toContain('CHANGELOG.md'); // made by `changeset version`; see release.test.ts
      expect(files.filter((f) => /^test\/|\.test\.[cm]?[jt]s$/.test(f))).toEqual([]);
      expect(readFileSync(join(p.dir, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
      expect(p.manifest.license).toBe('MIT');
      // A runnable example: at least one fenced code block that imports or runs the package.
      const readme = readFileSync(join(p.dir, 'README.md'), 'utf8');
      const blocks = [...readme.matchAll(/```(?:ts|js|sh)\n([\s\S]*?)```/g)].map((m) => m[1]!);
      expect(blocks.some((b) => b.includes(p.name) || /\bragloom /.test(b))).toBe(true);
      expect(JSON.stringify(packedManifest(tarball))).not.toContain('workspace:');
    });
  }

  it('types resolve for ESM consumers under node16 and bundler (attw, ESM-only profile)', () => {
    const failures: string[] = [];
    for (const p of packages) {
      const r = run(
        process.execPath,
        [attwBin, inject('tarballs')[p.name]!, '--profile', 'esm-only', '--format', 'ascii'],
        {
          cwd: inject('scratch'),
          allowFailure: true,
        },
      );
      if (r.status !== 0) failures.push(`${p.name}:\n${r.stdout}${r.stderr}`);
    }
    expect(failures).toEqual([]);
  });
});
