/**
 * The dependency rule (CONTRIBUTING.md), as a check: an adapter depends on `@ragloom/core`, its own vendor
 * library and the shared base of its family — never on another adapter or another family's base. The shared
 * bases depend on core only (of ragloom's packages), and core on none. What a package's sources import must be
 * declared, so the rule cannot be dodged by importing a package that happens to be installed.
 */

/** One workspace package as the check sees it: its manifest's runtime dependencies and what its sources import. */
export interface WorkspacePackage {
  readonly name: string;
  /** `dependencies`, `peerDependencies` and `optionalDependencies` (what users install with it). */
  readonly runtimeDependencies: readonly string[];
  /** Bare package names imported by files under `src/`, each with the first file that imports it. */
  readonly imports: ReadonlyMap<string, string>;
}

export interface DependencyViolation {
  readonly package: string;
  readonly dependency: string;
  /** Why it breaks the rule, for the test's message. */
  readonly reason: string;
}

const CORE = '@ragloom/core';
const ADAPTER = /^@ragloom\/(encoder|retriever|reranker|generator)-([a-z0-9-]+)$/;

/** The shared base each adapter family may use, by the name's suffix (`encoder-onnx` → onnx). */
export const SHARED_BASES: Readonly<Record<string, string>> = {
  onnx: '@ragloom/onnx-model',
  openai: '@ragloom/openai-compatible',
};

const isBase = (name: string) => Object.values(SHARED_BASES).includes(name);
const isRagloom = (name: string) => name.startsWith('@ragloom/');

function allowedRagloomDependencies(name: string): readonly string[] | undefined {
  if (name === CORE) return [];
  if (isBase(name)) return [CORE];
  const adapter = ADAPTER.exec(name);
  if (!adapter) return undefined; // the app, conformance, eval, tooling: free to compose
  const family = adapter[2]!.split('-').at(-1)!;
  const base = SHARED_BASES[family];
  return base === undefined ? [CORE] : [CORE, base];
}

/** Every way the given packages break the rule; empty when they keep it. */
export function dependencyViolations(packages: readonly WorkspacePackage[]): DependencyViolation[] {
  const violations: DependencyViolation[] = [];
  for (const pkg of packages) {
    const allowed = allowedRagloomDependencies(pkg.name);
    if (allowed === undefined) continue;
    const declared = new Set(pkg.runtimeDependencies);
    for (const dependency of declared) {
      if (!isRagloom(dependency) || allowed.includes(dependency)) continue;
      const kind = ADAPTER.test(dependency)
        ? 'another adapter'
        : isBase(dependency)
          ? "another family's base"
          : 'a ragloom package';
      violations.push({
        package: pkg.name,
        dependency,
        reason: `depends on ${kind}; allowed of ragloom's packages: ${allowed.length ? allowed.join(', ') : 'none'}`,
      });
    }
    for (const [imported, file] of pkg.imports) {
      if (imported === pkg.name || declared.has(imported)) continue;
      violations.push({
        package: pkg.name,
        dependency: imported,
        reason: `${file} imports it, but it is not a runtime dependency in package.json`,
      });
    }
  }
  return violations;
}
