/**
 * The kind of answer a question asks for, when its wording says so: a quantity ("how many", "多少") or a
 * time ("when", "what year", "何时"). A sentence that holds no such thing — beyond what the question
 * itself says — is unlikely to answer it.
 */
export type AnswerType = 'quantity' | 'time';

const QUANTITY =
  /\bhow (many|much|long|tall|high|old|far|big|large|wide|deep|heavy|often|fast)\b|\bwhat (percentage|percent|number|amount|proportion|fraction|size|population)\b|多少|几[个年月天次位名种岁]|多[高长大重远久宽深厚]|百分之|比例|人口/i;
const TIME =
  /\bwhen\b|\bwhat (year|years|month|day|date|time|decade|century|era|period|age)\b|\bin which (year|month|century|decade)\b|\bhow long ago\b|何时|什么时候|哪一?年|哪个(时期|朝代|年代|世纪)|什么(时期|时代|年代|朝代)|几月|几号|哪天|日期/i;

export function expectedAnswerType(question: string): AnswerType | undefined {
  if (TIME.test(question)) return 'time';
  if (QUANTITY.test(question)) return 'quantity';
  return undefined;
}

// Digits, number words, and Chinese numerals that are a number and not part of a word (一种 "a kind"):
// two or more numeral characters, or one before a unit.
const NUMBER =
  /\d+(?:[.,]\d+)*|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen)\b|[零〇一二两三四五六七八九十百千万亿半]{2,}|[一二两三四五六七八九十百千万亿半](?=(米|公里|千米|公斤|千克|克|吨|岁|年|个月|月|日|天|元|人|倍|度|分钟|小时|秒|次|层|名|位|座|所|届|%|％))/gi;
const TIME_WORDS =
  /\b(january|february|march|april|may|june|july|august|september|october|november|december|spring|summer|autumn|fall|winter|century|centuries|decade|era|period|bc|ad|bce|ce|today|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|[年月日]|世纪|时代|时期|朝|年代|春|夏|秋|冬/i;

const numbersIn = (text: string) => new Set((text.toLowerCase().match(NUMBER) ?? []).map((n) => n.trim()));

/** Whether a sentence holds an answer of the type, not counting what the question already says. */
export function holdsAnswerType(sentence: string, type: AnswerType, question: string): boolean {
  const asked = numbersIn(question);
  const fresh = [...numbersIn(sentence)].some((n) => !asked.has(n));
  if (type === 'quantity') return fresh;
  return fresh || TIME_WORDS.test(sentence.replace(/\d+/g, ''));
}
