/** The setups `ragloom init --preset` writes. */
export type ConfigPreset = 'local' | 'offline' | 'openai';

export const CONFIG_PRESETS: readonly ConfigPreset[] = ['local', 'offline', 'openai'];

const HEADER = `// ragloom configuration (JSON with comments). Paths are relative to this file.
// Each component names the package that provides it ("use") and that package's options; any package
// following the ragloom plugin convention works, including your own. \`ragloom doctor\` checks this file.`;

const COMMON_TOP = `  // Indexes and the ingest state (content hashes) live here. Add it to .gitignore.
  "dataDir": ".ragloom",

  // Where models come from. "path" is a folder of model folders in Hugging Face layout; a model named
  // "Xenova/all-MiniLM-L6-v2" is looked up there first (as <path>/Xenova/all-MiniLM-L6-v2 or
  // <path>/all-MiniLM-L6-v2), then in the Hugging Face cache, then downloaded once (unless "offline").
  // The RAGLOOM_MODELS environment variable overrides "path"; HF_HUB_OFFLINE=1 also means offline.
  "models": {
    // "path": "./models",
    "offline": false
  },

  // How documents are split: "markdown" (follows headings), "recursive" or "sentence" (CJK-aware).
  // Sizes are in characters.
  "chunker": { "type": "markdown", "chunkSize": 800, "chunkOverlap": 80 },
`;

const COMMON_BOTTOM = `
  "retrieval": {
    // Passages given to the answer; candidates taken from each retriever before fusion.
    "topK": 5,
    "candidateK": 20,
    // How several retrievers are combined: "rrf" (reciprocal rank fusion) or "weighted".
    "fusion": "rrf"
  },

  // Sent to the generator (ignored by extractive answers).
  "generation": { "maxTokens": 384, "temperature": 0 },

  // What ingest reads from folders: hidden names and .gitignore'd paths are left out, and symbolic links
  // are followed only while they stay inside the folder ("inside" | "never" | "all").
  "ingest": {
    "exclude": ["node_modules", ".git", ".ragloom", "dist"],
    "followSymlinks": "inside"
  },

  "server": {
    // A host other than loopback needs an API key (or serve --insecure).
    "host": "127.0.0.1",
    "port": 8787,
    // Clients must send "Authorization: Bearer <key>" (or "x-api-key: <key>") when this variable is set.
    "apiKeyEnv": "RAGLOOM_API_KEY",
    "maxBodyBytes": 1048576,
    "requestTimeoutMs": 120000,
    // Requests served at once; more get HTTP 429.
    "maxConcurrent": 16,
    // Browser origins allowed to call the API (CORS), and host names served besides localhost and IPs.
    "cors": [],
    "allowedHosts": []
  }
}
`;

const PRESETS: Record<ConfigPreset, string> = {
  local: `
  // Embeddings on this machine (onnxruntime-node). Any BERT-family ONNX export works.
  "encoder": {
    "use": "@ragloom/encoder-onnx",
    "options": { "model": "Xenova/all-MiniLM-L6-v2" }
  },

  // Hybrid search: BM25 (words, CJK-aware) plus a dense HNSW index, fused by rank.
  "retrievers": [
    { "name": "bm25", "use": "@ragloom/retriever-bm25", "options": { "analyzer": "auto" } },
    { "name": "dense", "use": "@ragloom/retriever-hnsw" }
  ],

  // Answers from a small local instruct model. Remove this block for extractive answers (quoted sentences).
  // If the model cannot be loaded (offline, not downloaded), ask/chat fall back to extractive answers.
  "generator": {
    "use": "@ragloom/generator-onnx",
    "options": { "model": "HuggingFaceTB/SmolLM2-360M-Instruct" }
  },
`,
  offline: `
  // No models at all: BM25 retrieval and extractive answers (the best-matching sentences, cited).
  // Add an "encoder" and a "dense" retriever for hybrid search, and a "generator" for written answers.
  "retrievers": [
    { "name": "bm25", "use": "@ragloom/retriever-bm25", "options": { "analyzer": "auto" } }
  ],
`,
  openai: `
  // Any OpenAI-compatible endpoint. Every option you must set is listed: "baseURL" is OpenAI's API; for
  // vLLM, llama.cpp, Ollama or LM Studio set it to the server's /v1 URL (e.g. "http://127.0.0.1:11434/v1")
  // and "model" to a model it serves. The key is read from the environment variable named by "apiKeyEnv",
  // never from this file.
  "encoder": {
    "use": "@ragloom/encoder-openai",
    "options": {
      "baseURL": "https://api.openai.com/v1",
      "model": "text-embedding-3-small",
      "apiKeyEnv": "OPENAI_API_KEY"
    }
  },

  "retrievers": [
    { "name": "bm25", "use": "@ragloom/retriever-bm25", "options": { "analyzer": "auto" } },
    { "name": "dense", "use": "@ragloom/retriever-hnsw" }
  ],

  "generator": {
    "use": "@ragloom/generator-openai",
    "options": {
      "baseURL": "https://api.openai.com/v1",
      "model": "gpt-4o-mini",
      "apiKeyEnv": "OPENAI_API_KEY"
    }
  },
`,
};

/** The commented config file `ragloom init` writes. */
export function configTemplate(preset: ConfigPreset): string {
  return `${HEADER}\n{\n${COMMON_TOP}${PRESETS[preset]}${COMMON_BOTTOM}`;
}
