// Unit tests (no Qdrant server needed): the plugin's option schema, and that it checks the server at startup.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ComponentKind,
  isRagloomError,
  type PluginContextV1,
  type StandardSchemaV1,
} from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';

/** The context a host (the ragloom app) passes to plugin factories: plain data, as the app builds it. */
function pluginContext(
  kind: ComponentKind,
  storageDir: string,
  extra: Partial<PluginContextV1> = {},
): PluginContextV1 {
  return {
    kind,
    name: kind,
    configDir: storageDir,
    storageDir,
    resolveModel: (ref) => ref,
    hub: { offline: true },
    log: () => {},
    ...extra,
  };
}

async function issuesOf(schema: StandardSchemaV1 | undefined, value: unknown): Promise<string[]> {
  const result = await schema!['~standard'].validate(value);
  return (result.issues ?? []).map((i) =>
    (i.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.'),
  );
}

const denseManifest = { kind: 'dense', encoderModelId: 'test/enc', dimension: 3, metric: 'cosine' } as const;

/** A port nothing listens on: bind one, then release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('ragloomPlugin', () => {
  it('connects at startup, so an unreachable server is reported before the first query', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-qdrant-plugin-'));
    const error = await Promise.resolve()
      .then(() =>
        ragloomPlugin.retriever!.create(
          { url, collection: 'docs' },
          pluginContext('retriever', dir, { denseManifest }),
        ),
      )
      .catch((e: unknown) => e);
    expect(isRagloomError(error, 'CONNECTION_ERROR')).toBe(true);
    expect((error as Error).message).toContain('127.0.0.1');
  });

  it('needs an encoder, and names bad options by field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-qdrant-plugin-'));
    const error = await Promise.resolve()
      .then(() => ragloomPlugin.retriever!.create({ collection: 'docs' }, pluginContext('retriever', dir)))
      .catch((e: unknown) => e);
    expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
    expect(
      await issuesOf(ragloomPlugin.retriever!.optionsSchema, { url: 'nope', metric: 'manhattan' }),
    ).toEqual(['url', 'collection', 'metric']);
  });
});
