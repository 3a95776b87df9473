// Han, Hiragana, Katakana, Hangul: scripts written without spaces between words.
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

export function isCjkChar(char: string): boolean {
  return CJK.test(char);
}

/**
 * A dependency-free, script-aware tokenizer for the reference components (keyword retriever,
 * hashing encoder, extractive answers): NFKC + lowercase, letters/digits runs as words, and CJK
 * text as single characters (no dictionary needed, and every CJK query still matches).
 * Real lexical search uses @ragloom/retriever-bm25's analyzers.
 */
export function simpleTokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.normalize('NFKC').toLowerCase().matchAll(WORD)) {
    let run = '';
    for (const char of match[0]) {
      if (isCjkChar(char)) {
        if (run) tokens.push(run);
        run = '';
        tokens.push(char);
      } else {
        run += char;
      }
    }
    if (run) tokens.push(run);
  }
  return tokens;
}
