import { RagloomError } from '@ragloom/core';

/*
 * A forgiving JSON reader for LLM judge output. Judges wrap JSON in prose or ```json fences, use single
 * or curly quotes, leave trailing commas, write True/False/None, forget quotes around keys, add
 * comments, or stop mid-object when they hit the token limit. This parser reads the first JSON value it
 * finds and accepts all of that; it never evaluates code.
 */

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpaceAndComments(): void {
    for (;;) {
      const c = this.peek();
      if (c !== '' && /\s/.test(c)) this.pos++;
      else if (this.text.startsWith('//', this.pos) || c === '#') {
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end === -1 ? this.text.length : end + 1;
      } else if (this.text.startsWith('/*', this.pos)) {
        const end = this.text.indexOf('*/', this.pos + 2);
        this.pos = end === -1 ? this.text.length : end + 2;
      } else return;
    }
  }
}

const OPEN_QUOTES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '“': '”', '‘': '’', '「': '」' };
const BARE_WORDS: Readonly<Record<string, unknown>> = {
  true: true,
  false: false,
  null: null,
  none: null,
  yes: true,
  no: false,
  nan: null,
  undefined: null,
};

function readString(r: Reader): string {
  const open = r.peek();
  const close = OPEN_QUOTES[open]!;
  r.pos++;
  let out = '';
  while (!r.atEnd()) {
    const c = r.text[r.pos]!;
    if (c === '\\') {
      const next = r.text[r.pos + 1] ?? '';
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '/': '/' };
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(r.text.slice(r.pos + 2, r.pos + 6))) {
        out += String.fromCharCode(Number.parseInt(r.text.slice(r.pos + 2, r.pos + 6), 16));
        r.pos += 6;
      } else {
        out += simple[next] ?? next;
        r.pos += 2;
      }
      continue;
    }
    if (c === close) {
      r.pos++;
      return out;
    }
    out += c;
    r.pos++;
  }
  return out; // unterminated: the judge was cut off; keep what we have
}

function readBare(r: Reader): string {
  const start = r.pos;
  while (!r.atEnd() && !/[\s,:\]}[{]/.test(r.peek())) r.pos++;
  return r.text.slice(start, r.pos);
}

function bareValue(word: string): unknown {
  const lower = word.toLowerCase();
  if (lower in BARE_WORDS) return BARE_WORDS[lower];
  const n = Number(word.replace(/%$/, ''));
  if (word !== '' && Number.isFinite(n)) return word.endsWith('%') ? n / 100 : n;
  return word;
}

function readValue(r: Reader, depth: number): unknown {
  if (depth > 64) throw new Error('nesting too deep');
  r.skipSpaceAndComments();
  const c = r.peek();
  if (c === '{') return readObject(r, depth);
  if (c === '[') return readArray(r, depth);
  if (c in OPEN_QUOTES) return readString(r);
  if (c === '') return undefined;
  return bareValue(readBare(r));
}

function readObject(r: Reader, depth: number): Record<string, unknown> {
  r.pos++; // {
  const out: Record<string, unknown> = {};
  for (;;) {
    r.skipSpaceAndComments();
    const c = r.peek();
    if (c === '' || c === '}') {
      if (c === '}') r.pos++;
      return out;
    }
    if (c === ',') {
      r.pos++;
      continue;
    }
    const key = c in OPEN_QUOTES ? readString(r) : readBare(r);
    r.skipSpaceAndComments();
    if (r.peek() === ':' || r.peek() === '=') r.pos++;
    else if (r.peek() === '}' || r.atEnd()) return out; // a key with no value: cut off
    const value = readValue(r, depth + 1);
    if (value !== undefined)
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
}

function readArray(r: Reader, depth: number): unknown[] {
  r.pos++; // [
  const out: unknown[] = [];
  for (;;) {
    r.skipSpaceAndComments();
    const c = r.peek();
    if (c === '' || c === ']') {
      if (c === ']') r.pos++;
      return out;
    }
    if (c === ',') {
      r.pos++;
      continue;
    }
    if (c === '}') {
      r.pos++; // a stray closer; skip it
      continue;
    }
    const value = readValue(r, depth + 1);
    if (value !== undefined) out.push(value);
  }
}

/** Where JSON-looking content starts: inside a ```json fence if there is one, else at the first { or [. */
function candidateStarts(text: string): number[] {
  const starts: number[] = [];
  const fence = /```(?:json|JSON)?\s*/g;
  for (const m of text.matchAll(fence)) {
    const at = m.index + m[0].length;
    if (text[at] === '{' || text[at] === '[') starts.push(at);
  }
  for (let i = 0; i < text.length; i++) if (text[i] === '{' || text[i] === '[') starts.push(i);
  return [...new Set(starts)];
}

/**
 * Extracts the JSON values in messy model output, best first: each `{...}` / `[...]` found (fenced
 * ones first), read leniently. `accept` picks the first value with the expected shape.
 */
export function parseJudgeJson<T>(text: string, accept: (value: unknown) => T | undefined): T {
  if (typeof text !== 'string') {
    throw new RagloomError('INVALID_ARGUMENT', 'judge output must be a string');
  }
  const starts = candidateStarts(text);
  for (const start of starts) {
    try {
      const r = new Reader(text);
      r.pos = start;
      const value = readValue(r, 0);
      const accepted = accept(value);
      if (accepted !== undefined) return accepted;
    } catch {
      // try the next candidate
    }
  }
  const excerpt = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  throw new RagloomError(
    'UPSTREAM_ERROR',
    `the judge's reply holds no usable JSON: ${JSON.stringify(excerpt)}`,
    {
      details: { output: text.slice(0, 2000) },
      retryable: true,
    },
  );
}

/** Reads a yes/no-ish verdict: booleans, 1/0, "yes"/"no", "supported"/"unsupported", "true"/"false". */
export function readVerdict(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const word = value.trim().toLowerCase().replace(/[.!]$/, '');
  if (['yes', 'true', 'supported', 'support', 'entailed', 'faithful', 'y', '1', '是'].includes(word))
    return true;
  if (
    ['no', 'false', 'unsupported', 'not supported', 'contradicted', 'unfaithful', 'n', '0', '否'].includes(
      word,
    )
  )
    return false;
  return undefined;
}
