/**
 * ragloom's one date-time grammar: RFC 3339 as Qdrant parses it (Qdrant's `DateTimeWrapper::from_str`,
 * chrono 0.4), so a range filter means the same instant in core's evaluator, in every local index, in
 * the SQL of the Postgres adapter and in Qdrant.
 *
 * ```
 * datetime   = date [ sep time ]
 * date       = YYYY "-" MM "-" DD                ; a real proleptic-Gregorian date, years 0000-9999
 * time       = HH ":" MM                         ; no zone: UTC
 *            / HH ":" MM ":" SS [ "." 1*DIGIT ] [ zone ]
 * sep        = "T" / " "                         ; also "t" when a Z, ±HH:MM or ±HHMM zone follows
 * zone       = "Z" / "z" / sign HH ":" MM / sign HHMM / sign HH   ; |offset| <= 23:59
 * sign       = "+" / "-" / "−" (U+2212)
 * ```
 * HH 00-23, MM 00-59, SS 00-60 (60 is a leap second, read as the first second of the next minute, as
 * chrono's microsecond timestamps do). A value without a zone is UTC — never the machine's local
 * time. Instants compare at microsecond precision (digits past the sixth are cut, as Qdrant's
 * `timestamp_micros` does). Not date-times: `…T10:00Z` (a zone needs seconds), `2020-02-30`,
 * `24:00:00`, one-digit fields, and the whitespace/`UTC` spellings only chrono's relaxed parser reads.
 */

const DATE = String.raw`(\d{4})-(\d{2})-(\d{2})`;
const DATE_ONLY = new RegExp(`^${DATE}$`);
const NAIVE_MINUTES = new RegExp(String.raw`^${DATE}[T ](\d{2}):(\d{2})$`);
const WITH_SECONDS = new RegExp(
  String.raw`^${DATE}([Tt ])(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+\-\u2212])(\d{2})(:?)(\d{2})?)?$`,
);

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400n * MICROS_PER_SECOND;

/** Days from 1970-01-01 to a proleptic-Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function dateMicros(y: string, m: string, d: string): bigint | undefined {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return BigInt(daysFromCivil(year, month, day)) * MICROS_PER_DAY;
}

function timeMicros(h: string, min: string, s: string): bigint | undefined {
  const hour = Number(h);
  const minute = Number(min);
  const second = Number(s);
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  return BigInt(hour * 3600 + minute * 60 + second) * MICROS_PER_SECOND;
}

/**
 * Microseconds since 1970-01-01T00:00:00Z of a date-time in ragloom's grammar (see the module
 * comment), or undefined when the string is not one.
 */
export function parseDateTimeMicros(value: string): bigint | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  let match = DATE_ONLY.exec(value);
  if (match) return dateMicros(match[1]!, match[2]!, match[3]!);
  match = NAIVE_MINUTES.exec(value);
  if (match) {
    const date = dateMicros(match[1]!, match[2]!, match[3]!);
    const time = timeMicros(match[4]!, match[5]!, '00');
    return date === undefined || time === undefined ? undefined : date + time;
  }
  match = WITH_SECONDS.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, sep, h, mi, s, fraction, zulu, sign, offsetHours, colon, offsetMinutes] = match;
  const hasOffset = sign !== undefined;
  // Which separators go with which zone follows from which of Qdrant's parsers accepts the value:
  // naive date-times and the ±HH form take only "T" or a space; "t" needs Z, ±HH:MM or ±HHMM.
  if (sep === 't' && zulu === undefined && (!hasOffset || offsetMinutes === undefined)) return undefined;
  if (hasOffset && offsetMinutes === undefined && colon === ':') return undefined;
  const date = dateMicros(y!, mo!, d!);
  const time = timeMicros(h!, mi!, s!);
  if (date === undefined || time === undefined) return undefined;
  const micros = fraction === undefined ? 0n : BigInt(fraction.slice(0, 6).padEnd(6, '0'));
  let offset = 0n;
  if (hasOffset) {
    const hours = Number(offsetHours);
    const minutes = offsetMinutes === undefined ? 0 : Number(offsetMinutes);
    if (hours > 23 || minutes > 59) return undefined;
    offset = BigInt((hours * 60 + minutes) * 60) * MICROS_PER_SECOND;
    if (sign !== '+') offset = -offset;
  }
  return date + time + micros - offset;
}

function pad(value: number | bigint, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * The canonical RFC 3339 spelling of an instant, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds), or
 * undefined outside years 0000-9999. Every parser of the grammar reads it back as the same instant.
 */
export function formatDateTimeMicros(micros: bigint): string | undefined {
  const days = micros / MICROS_PER_DAY - (micros % MICROS_PER_DAY < 0n ? 1n : 0n);
  const rest = micros - days * MICROS_PER_DAY;
  // civil_from_days (Howard Hinnant)
  const z = Number(days) + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return undefined;
  const seconds = rest / MICROS_PER_SECOND;
  const fraction = rest % MICROS_PER_SECOND;
  const hh = seconds / 3600n;
  const mm = (seconds % 3600n) / 60n;
  const ss = seconds % 60n;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(fraction, 6)}Z`;
}
