/** Colours only when writing to a terminal and NO_COLOR is unset (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean } = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR === '0') return false;
  return stream.isTTY === true || (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0');
}

const wrap = (open: number, close: number) => (text: string, enabled: boolean) =>
  enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;

export const style = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
};

/** One-line excerpt of a passage for terminal lists. */
export function excerpt(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
