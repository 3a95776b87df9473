export interface RagloomServerOptions {
  /** Required as `Authorization: Bearer <key>` (or `x-api-key: <key>`) on every API route when set. */
  readonly apiKey?: string;
  /** Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Default 120 s. */
  readonly requestTimeoutMs?: number;
  /** API requests served at once; more get 429. Default 16. */
  readonly maxConcurrent?: number;
  /** Serve the chat page at `/` (default true). */
  readonly webUi?: boolean;
  /** The model name `/v1/models` lists for RAG chat (default "ragloom"). */
  readonly modelName?: string;
  /**
   * Let documents sent to `POST /ingest` use their ids as given and set `metadata.source`, so that they
   * may replace file-sourced documents and cite files (default false: they live under `api://<id>`, and a
   * client's `metadata.source` is refused). For trusted clients only.
   */
  readonly allowFileSources?: boolean;
  /** Host names (besides loopback names and IP addresses) the server answers for; `.example.com` takes subdomains, `*` any (421 otherwise). */
  readonly allowedHosts?: readonly string[];
  /** Browser origins allowed to call the API cross-origin (CORS, preflight included); `*` for any. Default none (403). */
  readonly cors?: readonly string[];
  /** Request headers must arrive within this long (default 10 s). */
  readonly headersTimeoutMs?: number;
  /** A request body must arrive within this long (default 30 s), independent of requestTimeoutMs. */
  readonly bodyTimeoutMs?: number;
  /** After 5 s, a body arriving slower than this on average is cut off with 408 (default 1024 bytes/s). */
  readonly minBodyBytesPerSecond?: number;
  /** Open connections from one client address (default 32; more are refused with 429). */
  readonly maxConnectionsPerClient?: number;
  /** Open connections in all (default 1024). */
  readonly maxConnections?: number;
  /** Honour `/healthz?gc` (a full GC under node --expose-gc) — for load tests only (default false). */
  readonly healthzGc?: boolean;
  /** Called once per request when set: the access log entry. */
  readonly onRequest?: (entry: AccessLogEntry) => void;
  /** Unexpected errors (5xx), for the server's log. */
  readonly onError?: (error: unknown) => void;
}

/** One line of the access log. */
export interface AccessLogEntry {
  /** ISO time the request arrived. */
  readonly time: string;
  readonly method: string;
  /** The decoded path, or "(malformed)". */
  readonly path: string;
  readonly status: number;
  readonly ms: number;
  /** The client's address. */
  readonly client: string;
}
