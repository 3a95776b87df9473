import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RagloomConfigInput } from '../config/config-schema.js';
import { listModelFolders } from '../runtime/model-path.js';

/** The sample documents shipped with the app (ragloom's own docs, English and Chinese). */
export const DEMO_DIR = fileURLToPath(new URL('../../demo/', import.meta.url));
export const DEMO_CORPUS = join(DEMO_DIR, 'corpus');

export const DEMO_QUESTIONS = [
  'How does ragloom answer questions when no language model is available?',
  'How do I require an API key for the server?',
  '没有网络的时候怎么使用 ragloom？',
] as const;

/**
 * Where the demo keeps its indexes: one folder per copy of the app (a checkout, an npx cache entry, a global
 * install), so two copies never share, or report each other's files as "unchanged".
 */
export function demoRoot(): string {
  const copy = createHash('sha256').update(DEMO_DIR).digest('hex').slice(0, 12);
  return join(tmpdir(), 'ragloom-demo', copy);
}

/** The models a user gets by default: an all-MiniLM-L6-v2 ONNX export and a small instruct model. */
export const DEFAULT_ENCODER = 'Xenova/all-MiniLM-L6-v2';
export const DEFAULT_GENERATOR = 'HuggingFaceTB/SmolLM2-360M-Instruct';

export interface DemoPlan {
  readonly mode: 'offline' | 'local-models' | 'hub';
  /** One line saying what runs and why. */
  readonly why: string;
  readonly encoder?: string;
  readonly generator?: string;
  readonly modelsPath?: string;
  readonly config: RagloomConfigInput;
  readonly dataDir: string;
}

function pick(
  folders: ReturnType<typeof listModelFolders>,
  kind: 'encoder' | 'generator',
  preferred: string,
): string | undefined {
  const base = preferred.split('/').pop()!;
  const exact = folders.find((f) => f.kind === kind && (f.name === preferred || f.name === base));
  return (exact ?? folders.find((f) => f.kind === kind))?.name;
}

function configFor(
  dataDir: string,
  encoder?: string,
  generator?: string,
  modelsPath?: string,
): RagloomConfigInput {
  return {
    dataDir,
    models: modelsPath ? { path: modelsPath } : {},
    chunker: { type: 'markdown', chunkSize: 600, chunkOverlap: 60 },
    ...(encoder ? { encoder: { use: '@ragloom/encoder-onnx', options: { model: encoder } } } : {}),
    retrievers: [
      { name: 'bm25', use: '@ragloom/retriever-bm25', options: { analyzer: 'auto' } },
      ...(encoder ? [{ name: 'dense', use: '@ragloom/retriever-hnsw' }] : []),
    ],
    ...(generator ? { generator: { use: '@ragloom/generator-onnx', options: { model: generator } } } : {}),
    retrieval: { topK: 4 },
    generation: { maxTokens: 160, temperature: 0 },
  };
}

/**
 * Decides how the demo runs. With a model folder (RAGLOOM_MODELS or --models): the default models when
 * it has them, else the first encoder and causal LM found there. Without one: the default Hugging Face
 * models when `hubReachable`, else BM25 with extractive answers.
 */
export function planDemo(options: {
  modelsPath?: string;
  hubReachable: boolean;
  hubCheck: string;
  /** The models were found but could not be loaded. */
  modelsFailed?: boolean;
}): DemoPlan {
  const root = demoRoot();
  if (options.modelsPath) {
    const folders = listModelFolders(options.modelsPath);
    const encoder = pick(folders, 'encoder', DEFAULT_ENCODER);
    const generator = pick(folders, 'generator', DEFAULT_GENERATOR);
    const found = [encoder && `encoder ${encoder}`, generator && `generator ${generator}`]
      .filter(Boolean)
      .join(', ');
    const dataDir = join(
      root,
      `models-${[encoder, generator].map((m) => (m ?? 'none').replace(/\W+/g, '_')).join('-')}`,
    );
    return {
      mode: encoder || generator ? 'local-models' : 'offline',
      why: found
        ? `model folder ${options.modelsPath}: ${found}`
        : `model folder ${options.modelsPath} holds no encoder or language model folder`,
      encoder,
      generator,
      modelsPath: options.modelsPath,
      config: configFor(dataDir, encoder, generator, options.modelsPath),
      dataDir,
    };
  }
  if (options.hubReachable) {
    const dataDir = join(root, 'hub');
    return {
      mode: 'hub',
      why: `${options.hubCheck}: using ${DEFAULT_ENCODER} and ${DEFAULT_GENERATOR} (downloaded once into the Hugging Face cache)`,
      encoder: DEFAULT_ENCODER,
      generator: DEFAULT_GENERATOR,
      config: configFor(dataDir, DEFAULT_ENCODER, DEFAULT_GENERATOR),
      dataDir,
    };
  }
  const dataDir = join(root, 'offline');
  return {
    mode: 'offline',
    why: options.modelsFailed
      ? `${options.hubCheck}: BM25 retrieval and extractive answers`
      : `no model folder (set RAGLOOM_MODELS) and ${options.hubCheck}`,
    config: configFor(dataDir),
    dataDir,
  };
}

/**
 * Whether the Hugging Face hub answers, within a few seconds. The demo says it is checking; HF_HUB_OFFLINE=1
 * skips the check.
 */
export async function checkHub(env: Readonly<Record<string, string | undefined>> = process.env): Promise<{
  reachable: boolean;
  message: string;
}> {
  if (/^(1|true|yes|on)$/i.test(env.HF_HUB_OFFLINE ?? ''))
    return { reachable: false, message: 'HF_HUB_OFFLINE is set' };
  const endpoint = (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  try {
    // The file a download would fetch first, through the hub's resolve endpoint (as mirrors serve it too).
    const res = await fetch(`${endpoint}/${DEFAULT_ENCODER}/resolve/main/config.json`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(4000),
    });
    return res.ok
      ? { reachable: true, message: `${endpoint} is reachable` }
      : { reachable: false, message: `${endpoint} answered HTTP ${res.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { reachable: false, message: `${endpoint} is unreachable (${cause})` };
  }
}
