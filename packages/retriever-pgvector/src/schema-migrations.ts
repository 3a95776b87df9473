import { assertManifestMatches, type IndexManifest, RagloomError } from '@ragloom/core';
import type { PgQueryable, SqlExecutor } from './pg-connection.js';
import type { TableNames } from './sql-identifiers.js';

/**
 * One schema change, identified by a versioned id (`table:1`, `dense:1`, `fulltext:1`, …). Applied steps
 * are recorded per index table in `ragloom_migrations`, so each runs once; a new version of this package
 * adds steps, never edits applied ones.
 */
export interface MigrationStep {
  readonly id: string;
  readonly statements: readonly string[];
}

/** What one retriever needs of its table: its steps, and the manifest it stores under `kind`. */
export interface SchemaPlan {
  readonly names: TableNames;
  readonly kind: 'dense' | 'sparse';
  readonly manifest: IndexManifest;
  /** Settings beyond the ragloom manifest that must match too (the vector column type). */
  readonly settings: Readonly<Record<string, string | number>>;
  readonly steps: readonly MigrationStep[];
  /** Create the extension (dense) when missing. */
  readonly extension?: 'vector';
  readonly createExtension: boolean;
  /** false: a table that is not there yet is NOT_FOUND instead of being created. */
  readonly createTable: boolean;
}

/** Stored per index table and kind in `ragloom_manifests`. */
export interface StoredManifest {
  readonly manifest: IndexManifest;
  readonly settings: Readonly<Record<string, string | number>>;
}

/**
 * Every ragloom schema change in a database takes this transaction-scoped advisory lock first, so two
 * processes opening the same index at once run the migrations once, one after the other: the second
 * waits, then finds everything applied. ('ragl' as an int4.)
 */
export const MIGRATION_LOCK = [0x7261676c, 1] as const;

export function tableStep(names: TableNames): MigrationStep {
  const t = names.qualified;
  return {
    id: 'table:1',
    statements: [
      `CREATE TABLE IF NOT EXISTS ${t} (
        namespace text NOT NULL,
        id text COLLATE "C" NOT NULL,
        text text NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        datetimes jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (namespace, id)
      )`,
      // ids in byte order (COLLATE "C" above): scans page through the primary key, whatever the locale.
      // Containment (`@>`, the translation of $eq / $in) on the metadata, answered from the index.
      `CREATE INDEX IF NOT EXISTS ${names.derived('metadata')} ON ${t} USING gin (metadata jsonb_path_ops)`,
    ],
  };
}

function registryStatements(names: TableNames): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${names.registry('ragloom_migrations')} (
      table_name text NOT NULL,
      step text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (table_name, step)
    )`,
    `CREATE TABLE IF NOT EXISTS ${names.registry('ragloom_manifests')} (
      table_name text NOT NULL,
      kind text NOT NULL,
      manifest jsonb NOT NULL,
      settings jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (table_name, kind)
    )`,
  ];
}

function sameSettings(a: StoredManifest['settings'], b: StoredManifest['settings']): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

function checkStored(plan: SchemaPlan, stored: StoredManifest): void {
  const where = `Postgres table ${plan.names.key}`;
  assertManifestMatches(stored.manifest, plan.manifest, where);
  if (!sameSettings(stored.settings, plan.settings)) {
    throw new RagloomError(
      'MANIFEST_MISMATCH',
      `${where} was built with ${JSON.stringify(stored.settings)} but is opened with ${JSON.stringify(plan.settings)}`,
      { details: { table: plan.names.key, stored: stored.settings, expected: plan.settings } },
    );
  }
}

async function readState(
  session: PgQueryable,
  plan: SchemaPlan,
): Promise<{ applied: Set<string>; stored: StoredManifest | undefined } | undefined> {
  const { rows } = await session.query('SELECT to_regclass($1) IS NOT NULL AS present', [
    plan.names.registry('ragloom_manifests'),
  ]);
  if (!rows[0]?.present) return undefined;
  const steps = await session.query(
    `SELECT step FROM ${plan.names.registry('ragloom_migrations')} WHERE table_name = $1`,
    [plan.names.key],
  );
  const manifests = await session.query(
    `SELECT manifest, settings FROM ${plan.names.registry('ragloom_manifests')} WHERE table_name = $1 AND kind = $2`,
    [plan.names.key, plan.kind],
  );
  const row = manifests.rows[0];
  return {
    applied: new Set(steps.rows.map((r) => String(r.step))),
    stored: row ? { manifest: row.manifest as IndexManifest, settings: row.settings } : undefined,
  };
}

async function extensionInstalled(session: PgQueryable, name: string): Promise<boolean> {
  const { rows } = await session.query('SELECT 1 FROM pg_extension WHERE extname = $1', [name]);
  return rows.length > 0;
}

/**
 * Brings an index table up to date and returns its stored manifest: the steps not yet applied run in
 * one transaction under MIGRATION_LOCK (DDL is transactional in Postgres, so a failed step leaves
 * nothing behind), the manifest is written on first use and checked on every later one
 * (MANIFEST_MISMATCH naming both sides). When everything is already applied, nothing is locked.
 */
export async function ensureSchema(executor: SqlExecutor, plan: SchemaPlan): Promise<StoredManifest> {
  const quick = await executor.transaction('check schema', (session) => readState(session, plan));
  if (quick?.stored && plan.steps.every((s) => quick.applied.has(s.id))) {
    checkStored(plan, quick.stored);
    return quick.stored;
  }
  return executor.transaction('migrate schema', async (session) => {
    await session.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
    const state = await readState(session, plan);
    if (state?.stored) checkStored(plan, state.stored);
    const applied = state?.applied ?? new Set<string>();
    if (!plan.createTable && !applied.has('table:1')) {
      throw new RagloomError('NOT_FOUND', `Postgres table ${plan.names.key} is not a ragloom index yet`, {
        details: { table: plan.names.key },
      });
    }
    if (plan.extension && !(await extensionInstalled(session, plan.extension))) {
      if (!plan.createExtension) {
        throw new RagloomError(
          'UNSUPPORTED',
          `the Postgres extension "${plan.extension}" is not installed in this database; run CREATE EXTENSION ${plan.extension} (or allow createExtension)`,
          { details: { extension: plan.extension } },
        );
      }
      await session.query(`CREATE EXTENSION IF NOT EXISTS ${plan.extension}`);
    }
    for (const statement of registryStatements(plan.names)) await session.query(statement);
    for (const step of plan.steps) {
      if (applied.has(step.id)) continue;
      for (const statement of step.statements) await session.query(statement);
      await session.query(
        `INSERT INTO ${plan.names.registry('ragloom_migrations')} (table_name, step) VALUES ($1, $2)`,
        [plan.names.key, step.id],
      );
    }
    if (state?.stored) return state.stored;
    const stored: StoredManifest = { manifest: plan.manifest, settings: plan.settings };
    await session.query(
      `INSERT INTO ${plan.names.registry('ragloom_manifests')} (table_name, kind, manifest, settings) VALUES ($1, $2, $3, $4)`,
      [plan.names.key, plan.kind, JSON.stringify(stored.manifest), JSON.stringify(stored.settings)],
    );
    return stored;
  });
}

/** Drops an index table and its registry entries (every kind), under the migration lock. */
export async function dropIndexTable(executor: SqlExecutor, names: TableNames): Promise<void> {
  await executor.transaction('drop table', async (session) => {
    await session.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
    await session.query(`DROP TABLE IF EXISTS ${names.qualified}`);
    const { rows } = await session.query('SELECT to_regclass($1) IS NOT NULL AS present', [
      names.registry('ragloom_manifests'),
    ]);
    if (!rows[0]?.present) return;
    await session.query(`DELETE FROM ${names.registry('ragloom_migrations')} WHERE table_name = $1`, [
      names.key,
    ]);
    await session.query(`DELETE FROM ${names.registry('ragloom_manifests')} WHERE table_name = $1`, [
      names.key,
    ]);
  });
}
