import {
  PY_ASCII_WHITESPACE,
  PY_END,
  PY_LETTER,
  PY_NOT_S,
  PY_S,
  PY_W,
  pyRstrip,
  pySplit,
  pyStrip,
} from '../util/python-text.js';
import type { PunktParameters } from './punkt-english-parameters.js';

/*
 * A faithful TypeScript port of `nltk.word_tokenize` (NLTK 3.8–3.10): Punkt sentence splitting
 * followed by NLTK's improved Treebank word tokenizer on each sentence. The official CMRC 2018
 * script segments the non-Chinese parts of answers with it, so F1 depends on its exact behaviour
 * (e.g. "the end. the start" is two sentences, so the first period becomes its own token).
 * Python regex semantics are reproduced with the helpers of python-text.ts.
 */

const WORD = PY_W;
const NOT_WORD_BEFORE = `(?<!${WORD})`;
const NOT_WORD_AFTER = `(?!${WORD})`;

type Rule = readonly [RegExp, string];

const STARTING_QUOTES: readonly Rule[] = [
  [/([«“‘„]|[`]+)/gu, ' $1 '],
  [/^"/u, '``'],
  [/(``)/gu, ' $1 '],
  [/([ ([{<])("|'{2})/gu, '$1 `` '],
  [new RegExp(`(')(?!re|ve|ll|m|t|s|d|n)(${WORD})${NOT_WORD_AFTER}`, 'giu'), '$1 $2'],
];

const PUNCTUATION: readonly Rule[] = [
  [new RegExp(`([^.])(\\.)([\\])}>"'»”’ ]*)${PY_S}*$`, 'u'), '$1 $2 $3 '],
  [/([:,])([^\p{Nd}])/gu, ' $1 $2'],
  [new RegExp(`([:,])${PY_END}`, 'gu'), ' $1 '],
  [/\.{2,}/gu, ' $& '],
  [/[;@#$%&]/gu, ' $& '],
  [new RegExp(`([^.])(\\.)([\\])}>"']*)${PY_S}*$`, 'u'), '$1 $2$3 '],
  [/[?!]/gu, ' $& '],
  [/([^'])' /gu, "$1 ' "],
  [/[*]/gu, ' $& '],
];

const PARENS_BRACKETS: Rule = [/[\][(){}<>]/gu, ' $& '];
const DOUBLE_DASHES: Rule = [/--/gu, ' -- '];

const ENDING_QUOTES: readonly Rule[] = [
  [/([»”’])/gu, ' $1 '],
  [/''/gu, " '' "],
  [/"/gu, " '' "],
  [/([^' ])('[sS]|'[mM]|'[dD]|') /gu, '$1 $2 '],
  [/([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) /gu, '$1 $2 '],
];

// Robert MacIntyre's contractions, as NLTK lists them (CONTRACTIONS4 is unused there too).
const CONTRACTIONS: readonly RegExp[] = [
  ...[
    ['can', 'not'],
    ['d', "'ye"],
    ['gim', 'me'],
    ['gon', 'na'],
    ['got', 'ta'],
    ['lem', 'me'],
    ['more', "'n"],
  ].map(([a, b]) => new RegExp(`${NOT_WORD_BEFORE}(${a})(${b})${NOT_WORD_AFTER}`, 'giu')),
  new RegExp(`${NOT_WORD_BEFORE}(wan)(na)(?=${PY_S})`, 'giu'),
  new RegExp(` ('t)(is)${NOT_WORD_AFTER}`, 'giu'),
  new RegExp(` ('t)(was)${NOT_WORD_AFTER}`, 'giu'),
];

/** NLTK's `NLTKWordTokenizer().tokenize(text)` (one sentence). */
export function treebankWordTokenize(text: string): string[] {
  for (const [re, sub] of STARTING_QUOTES) text = text.replace(re, sub);
  for (const [re, sub] of PUNCTUATION) text = text.replace(re, sub);
  text = text.replace(PARENS_BRACKETS[0], PARENS_BRACKETS[1]);
  text = text.replace(DOUBLE_DASHES[0], DOUBLE_DASHES[1]);
  text = ` ${text} `;
  for (const [re, sub] of ENDING_QUOTES) text = text.replace(re, sub);
  for (const re of CONTRACTIONS) text = text.replace(re, ' $1 $2 ');
  return pySplit(text);
}

// ---- Punkt sentence tokenizer (PunktLanguageVars defaults) ----

const NON_WORD = `(?:[)";}\\]*:@'({\\[?!])`;
const MULTI_CHAR = `(?:-{2,}|\\.{2,}|(?:\\.${PY_S}){2,}\\.)`;
const WORD_START = `[^("\`{\\[:;&#*@)}\\]\\-,]`;
const PUNKT_WORD = new RegExp(
  `${MULTI_CHAR}|(?=${WORD_START})${PY_NOT_S}+?(?=${PY_S}|$|${NON_WORD}|${MULTI_CHAR}|,(?=$|${PY_S}|${NON_WORD}|${MULTI_CHAR}))|${PY_NOT_S}`,
  'gu',
);
const PERIOD_CONTEXT = new RegExp(`[.?!](?=(?<after>${NON_WORD}|${PY_S}+(?<next>${PY_NOT_S}+)))`, 'gdu');
const BOUNDARY_REALIGNMENT = new RegExp(`^["')\\]}]+?(?:${PY_S}+|(?=--)|(?=\\n|$))`, 'u');
const RE_ELLIPSIS = /^\.\.+$/u;
const RE_NUMERIC = /^-?[.,]?\p{Nd}[\p{Nd},.-]*\.?$/u;
const RE_INITIAL = new RegExp(`^${PY_LETTER}\\.$`, 'u');
const UPPER = /^\p{Uppercase}/u;
const LOWER = /^\p{Lowercase}/u;
const SENT_END_CHARS = new Set(['.', '?', '!']);
const SENTENCE_PUNCTUATION = new Set([';', ':', ',', '.', '!', '?']);

const ORTHO_BEG_UC = 1 << 1;
const ORTHO_MID_UC = 1 << 2;
const ORTHO_UNK_UC = 1 << 3;
const ORTHO_BEG_LC = 1 << 4;
const ORTHO_MID_LC = 1 << 5;
const ORTHO_UNK_LC = 1 << 6;
const ORTHO_UC = ORTHO_BEG_UC + ORTHO_MID_UC + ORTHO_UNK_UC;
const ORTHO_LC = ORTHO_BEG_LC + ORTHO_MID_LC + ORTHO_UNK_LC;

interface PunktToken {
  readonly tok: string;
  readonly type: string;
  readonly periodFinal: boolean;
  sentbreak: boolean;
  abbr: boolean;
  ellipsis: boolean;
}

function makeToken(tok: string): PunktToken {
  const lower = tok.toLowerCase();
  return {
    tok,
    type: RE_NUMERIC.test(lower) ? '##number##' : lower,
    periodFinal: tok.endsWith('.'),
    sentbreak: false,
    abbr: false,
    ellipsis: false,
  };
}

const typeNoPeriod = (t: PunktToken) =>
  t.type.length > 1 && t.type.endsWith('.') ? t.type.slice(0, -1) : t.type;
const typeNoSentPeriod = (t: PunktToken) => (t.sentbreak ? typeNoPeriod(t) : t.type);
const firstChar = (t: PunktToken) => String.fromCodePoint(t.tok.codePointAt(0) ?? 0);
const firstUpper = (t: PunktToken) => UPPER.test(firstChar(t));
const firstLower = (t: PunktToken) => LOWER.test(firstChar(t));

function tokenizeWords(text: string): PunktToken[] {
  const tokens: PunktToken[] = [];
  for (const line of text.split('\n')) {
    if (!pyStrip(line)) continue;
    for (const match of line.matchAll(PUNKT_WORD)) tokens.push(makeToken(match[0]));
  }
  return tokens;
}

function firstPass(token: PunktToken, params: PunktParameters): void {
  const { tok } = token;
  if (SENT_END_CHARS.has(tok)) {
    token.sentbreak = true;
  } else if (RE_ELLIPSIS.test(tok)) {
    token.ellipsis = true;
  } else if (token.periodFinal && !tok.endsWith('..')) {
    const stem = tok.slice(0, -1).toLowerCase();
    const lastPart = stem.split('-').at(-1) ?? stem;
    if (params.abbreviationTypes.has(stem) || params.abbreviationTypes.has(lastPart)) token.abbr = true;
    else token.sentbreak = true;
  }
}

function orthoHeuristic(token: PunktToken, params: PunktParameters): boolean | 'unknown' {
  if (SENTENCE_PUNCTUATION.has(token.tok)) return false;
  const context = params.orthographicContext.get(typeNoSentPeriod(token)) ?? 0;
  if (firstUpper(token) && context & ORTHO_LC && !(context & ORTHO_MID_UC)) return true;
  if (firstLower(token) && (context & ORTHO_UC || !(context & ORTHO_BEG_LC))) return false;
  return 'unknown';
}

function secondPass(token: PunktToken, next: PunktToken, params: PunktParameters): void {
  if (!token.periodFinal) return;
  const type = typeNoPeriod(token);
  const nextType = typeNoSentPeriod(next);
  const isInitial = RE_INITIAL.test(token.tok);
  if (params.collocations.has(`${type}\t${nextType}`)) {
    token.sentbreak = false;
    token.abbr = true;
    return;
  }
  if ((token.abbr || token.ellipsis) && !isInitial) {
    if (orthoHeuristic(next, params) === true) {
      token.sentbreak = true;
      return;
    }
    if (firstUpper(next) && params.sentenceStarters.has(nextType)) {
      token.sentbreak = true;
      return;
    }
  }
  if (isInitial || type === '##number##') {
    const starter = orthoHeuristic(next, params);
    if (starter === false) {
      token.sentbreak = false;
      token.abbr = true;
      return;
    }
    const nextContext = params.orthographicContext.get(nextType) ?? 0;
    if (starter === 'unknown' && isInitial && firstUpper(next) && !(nextContext & ORTHO_LC)) {
      token.sentbreak = false;
      token.abbr = true;
    }
  }
}

function containsSentenceBreak(text: string, params: PunktParameters): boolean {
  const tokens = tokenizeWords(text);
  for (const token of tokens) firstPass(token, params);
  for (let i = 0; i + 1 < tokens.length; i++) secondPass(tokens[i]!, tokens[i + 1]!, params);
  let found = false; // the last token's break does not count
  for (const token of tokens) {
    if (found) return true;
    if (token.sentbreak) found = true;
  }
  return false;
}

function lastAsciiWhitespaceIndex(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (PY_ASCII_WHITESPACE.has(text[i]!)) return i;
  return 0;
}

interface PeriodMatch {
  readonly start: number;
  readonly end: number;
  readonly after: string;
  readonly nextStart: number | undefined;
}

function* potentialEndContexts(text: string): Generator<[PeriodMatch, string]> {
  let previousSlice: [number, number] = [0, 0];
  let previous: PeriodMatch | undefined;
  for (const m of text.matchAll(PERIOD_CONTEXT)) {
    const match: PeriodMatch = {
      start: m.index,
      end: m.index + m[0].length,
      after: m.groups?.after ?? '',
      nextStart: m.indices?.groups?.next?.[0],
    };
    const before = text.slice(previousSlice[1], match.start);
    let afterLastSpace = lastAsciiWhitespaceIndex(before);
    // NLTK's quirk, kept: whitespace at index 0 counts as "none found".
    if (afterLastSpace) afterLastSpace += previousSlice[1] + 1;
    else afterLastSpace = previousSlice[0];
    const wordSlice: [number, number] = [afterLastSpace, match.start];
    if (previous && previousSlice[1] <= wordSlice[0]) {
      yield [
        previous,
        text.slice(previousSlice[0], previousSlice[1]) + text[previous.start] + previous.after,
      ];
    }
    previous = match;
    previousSlice = wordSlice;
  }
  if (previous) {
    yield [previous, text.slice(previousSlice[0], previousSlice[1]) + text[previous.start] + previous.after];
  }
}

/** Punkt's sentence spans `[start, end)` with boundary realignment, as `span_tokenize` returns them. */
export function punktSentenceSpans(text: string, params: PunktParameters): [number, number][] {
  const slices: [number, number][] = [];
  let lastBreak = 0;
  for (const [match, context] of potentialEndContexts(text)) {
    if (containsSentenceBreak(context, params)) {
      slices.push([lastBreak, match.end]);
      lastBreak = match.nextStart ?? match.end;
    }
  }
  slices.push([lastBreak, pyRstrip(text).length]);

  const spans: [number, number][] = [];
  let realign = 0;
  for (let i = 0; i < slices.length; i++) {
    const first: [number, number] = [slices[i]![0] + realign, slices[i]![1]];
    const second = slices[i + 1];
    if (second === undefined) {
      if (first[1] > first[0]) spans.push(first);
      continue;
    }
    const m = BOUNDARY_REALIGNMENT.exec(text.slice(second[0], second[1]));
    if (m) {
      spans.push([first[0], second[0] + pyRstrip(m[0]).length]);
      realign = m[0].length;
    } else {
      realign = 0;
      if (first[1] > first[0]) spans.push(first);
    }
  }
  return spans;
}

/** `nltk.sent_tokenize(text)` with the given Punkt parameters. */
export function punktSentences(text: string, params: PunktParameters): string[] {
  return punktSentenceSpans(text, params).map(([start, end]) => text.slice(start, end));
}

/** `nltk.word_tokenize(text)`: Punkt sentences, then the Treebank word tokenizer on each. */
export function nltkWordTokenize(text: string, params: PunktParameters): string[] {
  return punktSentences(text, params).flatMap((sentence) => treebankWordTokenize(sentence));
}
