import { validateEmbedRequest } from '../encoder/validate-embed-request.js';
import { RagloomError } from '../errors/ragloom-error.js';
import type { EmbedRequest, EncoderV1 } from '../spec/encoder-v1.js';
import { isCjkChar, simpleTokenize } from '../text/simple-tokenize.js';
import { throwIfAborted } from '../util/abort.js';

export interface HashingEncoderOptions {
  /** Vector length (default 256). */
  readonly dimension?: number;
}

// FNV-1a, 32 bit: fast, dependency-free, and stable across platforms.
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Terms: words, plus bigrams of adjacent CJK characters so that Chinese words weigh more than characters. */
function features(text: string): string[] {
  const tokens = simpleTokenize(text);
  const out = [...tokens];
  for (let i = 1; i < tokens.length; i++) {
    if (isCjkChar(tokens[i - 1]!) && isCjkChar(tokens[i]!)) out.push(tokens[i - 1]! + tokens[i]!);
  }
  return out;
}

/**
 * The reference encoder: signed feature hashing of words (and CJK bigrams) into a unit vector.
 * Lexical only, no semantics — it lets pipelines, demos and tests run with no model at all.
 */
export function createHashingEncoder(options: HashingEncoderOptions = {}): EncoderV1 {
  const dimension = options.dimension ?? 256;
  if (!Number.isInteger(dimension) || dimension < 2) {
    throw new RagloomError('INVALID_ARGUMENT', `dimension must be an integer >= 2, got ${String(dimension)}`);
  }
  const embedOne = (text: string): Float32Array => {
    const v = new Float32Array(dimension);
    const terms = features(text);
    // An empty text still gets a unit vector (the contract promises normalised output).
    for (const term of terms.length > 0 ? terms : ['\u0000empty']) {
      const h = fnv1a(term);
      v[h % dimension]! += h & 0x80000000 ? -1 : 1;
    }
    let n = 0;
    for (const x of v) n += x * x;
    if (n === 0)
      v[fnv1a(text) % dimension] = 1; // all features cancelled out
    else {
      const inv = 1 / Math.sqrt(n);
      for (let i = 0; i < dimension; i++) v[i]! *= inv;
    }
    return v;
  };

  return {
    specificationVersion: 'v1',
    provider: 'hashing',
    modelId: `ragloom/hashing-${dimension}`,
    dimension,
    normalized: true,
    maxBatchSize: 1024,
    async embed(request: EmbedRequest) {
      throwIfAborted(request?.signal, 'embedding');
      const embeddings = validateEmbedRequest(request).map(embedOne);
      const tokens = request.texts.reduce((n, t) => n + simpleTokenize(t).length, 0);
      return { embeddings, usage: { tokens } };
    },
  };
}
