import { z } from 'zod';

/** `{"use": "<package>", "options": {...}}`: a component provided by a plugin package. */
export const pluginReferenceSchema = z
  .object({
    /** The npm package (or a path to a module) that provides the component. */
    use: z.string().min(1, 'name a package, e.g. "@ragloom/retriever-bm25"'),
    /** Passed to the plugin's factory, validated by the plugin's own schema. */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const retrieverReferenceSchema = pluginReferenceSchema
  .extend({
    /** Names the index: it is a member of the data dir's index set, and `--retriever <name>` picks it. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, "-" and "_" only (it names a folder)'),
    /** Weight in fusion when several retrievers are configured (default 1). */
    weight: z.number().positive().optional(),
    /** Candidates taken from this retriever before fusion (default: retrieval.candidateK). */
    k: z.number().int().positive().optional(),
  })
  .strict();

const chunkerSchema = z
  .object({
    type: z.enum(['markdown', 'recursive', 'sentence']).default('markdown'),
    chunkSize: z.number().int().positive().default(800),
    chunkOverlap: z.number().int().nonnegative().default(80),
  })
  .strict()
  .refine((c) => c.chunkOverlap < c.chunkSize, {
    message: 'chunkOverlap must be smaller than chunkSize',
    path: ['chunkOverlap'],
  });

const modelsSchema = z
  .object({
    /**
     * A folder of model folders (Hugging Face layout). A model named "Xenova/all-MiniLM-L6-v2" is looked up
     * as `<path>/Xenova/all-MiniLM-L6-v2`, then `<path>/all-MiniLM-L6-v2`, before the Hugging Face hub.
     * The RAGLOOM_MODELS environment variable overrides it.
     */
    path: z.string().min(1).optional(),
    /** Never download; use local folders and the Hugging Face cache only (also: HF_HUB_OFFLINE=1). */
    offline: z.boolean().optional(),
    /** The Hugging Face cache folder (default: $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub). */
    cacheDir: z.string().min(1).optional(),
  })
  .strict();

const retrievalSchema = z
  .object({
    /** Passages given to the answer (and returned by query). */
    topK: z.number().int().positive().max(100).default(5),
    /** Candidates per retriever before fusion and reranking. */
    candidateK: z.number().int().positive().max(1000).default(20),
    fusion: z.enum(['rrf', 'weighted']).default('rrf'),
    rrfK: z.number().int().positive().default(60),
  })
  .strict();

const generationSchema = z
  .object({
    maxTokens: z.number().int().positive().default(384),
    temperature: z.number().min(0).max(2).default(0),
    topP: z.number().gt(0).max(1).optional(),
    topK: z.number().int().positive().optional(),
    seed: z.number().int().optional(),
    stop: z.array(z.string().min(1)).optional(),
  })
  .strict();

const ingestSchema = z
  .object({
    /** File extensions ingested from folders (files named explicitly are always tried). */
    extensions: z
      .array(z.string().regex(/^\.[A-Za-z0-9]+$/, 'an extension such as ".md"'))
      .default(['.md', '.markdown', '.txt', '.rst', '.html', '.htm', '.docx', '.pdf', '.jsonl']),
    /**
     * Paths left out while walking folders, in .gitignore syntax relative to the walked folder: a name
     * ("node_modules") matches at any depth, "drafts/**" or "*.log" as in git. Hidden names (".env") are
     * always left out.
     */
    exclude: z.array(z.string().min(1)).default(['node_modules', '.git', '.ragloom', 'dist']),
    /** Honour .gitignore files in the walked folders. */
    gitignore: z.boolean().default(true),
    /**
     * Symbolic links met while walking a folder: "inside" follows those whose target stays inside the
     * folder being ingested, "never" follows none, "all" follows any (a link to /etc/passwd would be read).
     */
    followSymlinks: z.enum(['inside', 'never', 'all']).default('inside'),
    /** An ingest whose files add up to more than this many MiB is refused before any work. */
    maxTotalMiB: z.number().positive().default(1024),
    /** Seconds between checkpoints (atomic saves of every index and the ingest state) during a long ingest. */
    checkpointSeconds: z.number().positive().default(30),
    /** Largest file read, in MiB; bigger files are skipped with a warning. */
    maxFileMiB: z.number().positive().default(64),
  })
  .strict();

const serverSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8787),
    /**
     * Environment variable holding the API key clients must send as `Authorization: Bearer <key>` or
     * `x-api-key: <key>`. Without a key, `serve` binds only to loopback addresses unless given --insecure.
     */
    apiKeyEnv: z.string().min(1).default('RAGLOOM_API_KEY'),
    /** Largest request body in bytes (413 above). */
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    /** A request running longer is aborted (504, or an error event on a stream). */
    requestTimeoutMs: z.number().int().positive().default(120_000),
    /** Requests served at once; more get 429 with Retry-After. */
    maxConcurrent: z.number().int().positive().default(16),
    /** Serve the chat page at `/`. */
    webUi: z.boolean().default(true),
    /**
     * Host names the server answers for besides loopback names (localhost, *.localhost) and IP addresses:
     * "ragloom.example.com", ".example.com" (it and its subdomains) or "*". Other Host headers get 421,
     * which stops DNS rebinding.
     */
    allowedHosts: z.array(z.string().min(1)).default([]),
    /**
     * Browser origins (e.g. "https://app.example.com") allowed to call the API from their pages, with CORS
     * and preflight; "*" allows any. Requests from other origins are refused with 403.
     */
    cors: z
      .array(
        z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, 'an origin such as "https://app.example.com", or "*"'),
      )
      .default([]),
    /** Request headers must arrive within this long (408 otherwise). */
    headersTimeoutMs: z.number().int().positive().default(10_000),
    /** A request body must arrive within this long (408 otherwise), separately from requestTimeoutMs. */
    bodyTimeoutMs: z.number().int().positive().default(30_000),
    /** After 5 s, a body arriving slower than this many bytes per second on average is cut off (408). */
    minBodyBytesPerSecond: z.number().nonnegative().default(1024),
    /** Open connections from one client address; more are refused with 429. */
    maxConnectionsPerClient: z.number().int().positive().default(32),
    /** Open connections in all; more are closed at once. */
    maxConnections: z.number().int().positive().default(1024),
    /**
     * Documents sent to POST /ingest live under `api://<id>` and may not set `metadata.source`, so they can
     * neither replace file-sourced documents nor cite files. true lifts both (trusted clients only).
     */
    allowFileSources: z.boolean().default(false),
  })
  .strict();

const lockSchema = z
  .object({
    /** Seconds a writer (ingest, import, serve) waits for another one to finish before failing with INDEX_LOCKED. */
    waitSeconds: z.number().nonnegative().default(60),
    /** A lock held by a process on another machine counts as abandoned after this long without a heartbeat. */
    staleSeconds: z.number().positive().default(30),
  })
  .strict();

export const ragloomConfigSchema = z
  .object({
    $schema: z.string().optional(),
    /** Indexes and ingest state, relative to the config file. */
    dataDir: z.string().min(1).default('.ragloom'),
    models: modelsSchema.prefault({}),
    chunker: chunkerSchema.prefault({}),
    encoder: pluginReferenceSchema.optional(),
    retrievers: z
      .array(retrieverReferenceSchema)
      .min(1, 'configure at least one retriever')
      .refine(
        (list) => new Set(list.map((r) => r.name)).size === list.length,
        'retriever names must be unique',
      ),
    reranker: pluginReferenceSchema.optional(),
    generator: pluginReferenceSchema.optional(),
    /** Replaces the default RAG instructions given to the generator. */
    systemPrompt: z.string().min(1).optional(),
    retrieval: retrievalSchema.prefault({}),
    generation: generationSchema.prefault({}),
    ingest: ingestSchema.prefault({}),
    server: serverSchema.prefault({}),
    /** One writer per data dir, across processes (see the README's "Several writers"). */
    lock: lockSchema.prefault({}),
  })
  .strict();

export type PluginReference = z.infer<typeof pluginReferenceSchema>;
export type RetrieverReference = z.infer<typeof retrieverReferenceSchema>;
/** A config as written in the file (defaults not yet applied). */
export type RagloomConfigInput = z.input<typeof ragloomConfigSchema>;
/** A validated config with defaults applied. */
export type RagloomConfig = z.output<typeof ragloomConfigSchema>;
