/**
 * Unicode word tokenization (UAX #29 word boundaries, the rules behind Lucene's StandardTokenizer and
 * `Intl.Segmenter`). Text in scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer,
 * Myanmar) is handed out as whole runs, for a dictionary segmenter or a bigram filter to split.
 *
 * Why not `Intl.Segmenter` for everything: it is about 6x slower on English text. This regular
 * expression implements the UAX #29 rules that matter outside dictionary scripts, and the tests check
 * that its words equal `Intl.Segmenter`'s on whole corpora.
 */

const DICTIONARY_SCRIPTS = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}`;
// Prolonged sound mark, iteration marks, (semi-)voiced sound marks: Common script, but part of kana/kanji words.
const DICTIONARY_EXTRAS = String.raw`\u30FC\u3005-\u3007\u3099-\u309C\uFF70\uFF9E\uFF9F`;
/** ALetter (and Hebrew_Letter) of UAX #29: letters outside the dictionary scripts. */
const LETTER = String.raw`[[\p{L}\p{Nl}]--[${DICTIONARY_SCRIPTS}${DICTIONARY_EXTRAS}]]`;
const DIGIT = String.raw`\p{Nd}`;
/** Extend, Format and ZWJ attach to the character before them (WB4); U+200B is not Format. */
const EXTEND = String.raw`[[\p{M}\p{Cf}]--[\u200B]]*`;
/** Letters and digits join each other (WB5, WB8-10); ExtendNumLet (`_`) joins everything (WB13a/b). */
const UNIT = String.raw`(?:(?:${LETTER}|${DIGIT}|\p{Pc})${EXTEND})`;
const MID_LETTER = String.raw`[:\u00B7\u0387\u055F\u05F4\u2027\uFE13\uFE55\uFF1A]`;
const MID_NUM_LET = String.raw`[.'\u2018\u2019\u2024\uFE52\uFF07\uFF0E]`;
const MID_NUM = String.raw`[,;\u037E\u0589\u060C\u060D\u066C\u07F8\u2044\uFE10\uFE14\uFE50\uFE54\uFF0C\uFF1B]`;
/** `can't`, `e.g`, `3.5`, `10,000`: punctuation between two letters (WB6/7) or two digits (WB11/12). */
const JOIN =
  String.raw`(?:(?<=${LETTER}${EXTEND})(?:${MID_LETTER}|${MID_NUM_LET})${EXTEND}(?=${LETTER})` +
  `|(?<=${DIGIT}${EXTEND})(?:${MID_NUM}|${MID_NUM_LET})${EXTEND}(?=${DIGIT}))`;
const DICTIONARY_RUN = String.raw`(?:[${DICTIONARY_SCRIPTS}${DICTIONARY_EXTRAS}]\p{M}*)+`;
// The `v` flag (class subtraction) is built at run time: TypeScript's ES2022 target rejects it in literals.
const WORD_PATTERN = `(${DICTIONARY_RUN})|${UNIT}+(?:${JOIN}${UNIT}+)*`;
// `matchAll` iterates over a clone, so sharing this global regex carries no `lastIndex` state between calls.
const WORD = new RegExp(WORD_PATTERN, 'gv');
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const DICTIONARY_CHAR = new RegExp(`[${DICTIONARY_SCRIPTS}${DICTIONARY_EXTRAS}]`, 'u');

// ASCII character classes for the fast path.
const LETTER_CLASS = 1;
const DIGIT_CLASS = 2;
const UNDERSCORE_CLASS = 3;
const MID_LETTER_CLASS = 4; // :
const MID_NUM_LET_CLASS = 5; // . '
const MID_NUM_CLASS = 6; // , ;
const ASCII_CLASS = (() => {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (/[A-Za-z]/.test(ch)) table[c] = LETTER_CLASS;
    else if (/[0-9]/.test(ch)) table[c] = DIGIT_CLASS;
  }
  table[0x5f] = UNDERSCORE_CLASS;
  table[0x3a] = MID_LETTER_CLASS;
  table[0x2e] = MID_NUM_LET_CLASS;
  table[0x27] = MID_NUM_LET_CLASS;
  table[0x2c] = MID_NUM_CLASS;
  table[0x3b] = MID_NUM_CLASS;
  return table;
})();
const NON_ASCII = /[^\p{ASCII}]/u;

/** The same rules as WORD, for text known to be ASCII, without regex match objects (most English text). */
function scanAscii(text: string, start: number, end: number, onWord: (word: string) => void): void {
  let i = start;
  while (i < end) {
    const first = ASCII_CLASS[text.charCodeAt(i)]!;
    if (first < LETTER_CLASS || first > UNDERSCORE_CLASS) {
      i++;
      continue;
    }
    const wordStart = i;
    let hasLetterOrDigit = false;
    for (;;) {
      let k = ASCII_CLASS[text.charCodeAt(i)]!;
      while (i < end && k >= LETTER_CLASS && k <= UNDERSCORE_CLASS) {
        if (k !== UNDERSCORE_CLASS) hasLetterOrDigit = true;
        k = ASCII_CLASS[text.charCodeAt(++i)] ?? 0;
      }
      if (i + 1 >= end) break;
      const before = ASCII_CLASS[text.charCodeAt(i - 1)]!;
      const after = ASCII_CLASS[text.charCodeAt(i + 1)] ?? 0;
      const joinsLetters =
        before === LETTER_CLASS &&
        after === LETTER_CLASS &&
        (k === MID_LETTER_CLASS || k === MID_NUM_LET_CLASS);
      const joinsDigits =
        before === DIGIT_CLASS && after === DIGIT_CLASS && (k === MID_NUM_CLASS || k === MID_NUM_LET_CLASS);
      if (!joinsLetters && !joinsDigits) break;
      i++;
    }
    if (hasLetterOrDigit) onWord(text.slice(wordStart, i));
  }
}

function scanWithPattern(text: string, onWord: (word: string) => void, onRun: (run: string) => void): void {
  for (const match of text.matchAll(WORD)) {
    if (match[1] !== undefined) onRun(match[1]);
    else if (HAS_LETTER_OR_DIGIT.test(match[0])) onWord(match[0]);
  }
}

const isAsciiSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * Calls `onWord` for each word and `onDictionaryRun` for each run of dictionary-script text, in text
 * order. Words keep their case and inner punctuation (`John's`, `U.S.A`, `3.5`); a lone `_` is no word.
 */
export function forEachWord(
  text: string,
  onWord: (word: string) => void,
  onDictionaryRun: (run: string) => void,
): void {
  if (!NON_ASCII.test(text)) {
    scanAscii(text, 0, text.length, onWord);
    return;
  }
  // No word spans white space (UAX #29 WB3a-d), so each space-separated chunk is tokenized on its own:
  // ASCII chunks by the fast scanner, the others by the full pattern.
  let start = 0;
  const length = text.length;
  for (let i = 0; i <= length; i++) {
    if (i < length && !isAsciiSpace(text.charCodeAt(i))) continue;
    if (i > start) {
      const chunk = text.slice(start, i);
      if (NON_ASCII.test(chunk)) scanWithPattern(chunk, onWord, onDictionaryRun);
      else scanAscii(chunk, 0, chunk.length, onWord);
    }
    start = i + 1;
  }
}

/** True when `text` holds a character of a dictionary script (Han, kana, Thai, ...). */
export function hasDictionaryScript(text: string): boolean {
  return DICTIONARY_CHAR.test(text);
}

const CJK_WORD =
  /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30FC\u3005-\u3007\u3099-\u309C\uFF70\uFF9E\uFF9F]+$/u;

/** True when every character of `word` is Han or kana (not Thai, Khmer, ...). */
export function isCjkWord(word: string): boolean {
  return CJK_WORD.test(word);
}

/** True for a single Han or kana character (a CJK "word" the segmenter could not place in its dictionary). */
export function isSingleCjkChar(segment: string): boolean {
  return segment.length <= 2 && [...segment].length === 1 && CJK_WORD.test(segment);
}
