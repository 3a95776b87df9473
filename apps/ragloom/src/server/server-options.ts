export interface RagloomServerOptions {
  /** Required as `Authorization: Bearer <key>` on every API route when set. */
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
  /** Called once per request when set: method, path, status, milliseconds. */
  readonly onRequest?: (entry: { method: string; path: string; status: number; ms: number }) => void;
  /** Unexpected errors (5xx), for the server's log. */
  readonly onError?: (error: unknown) => void;
}
