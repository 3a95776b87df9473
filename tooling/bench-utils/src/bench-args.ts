/** `--name` flags and `--name value` numbers of a bench script's command line. */
export function benchArgs(argv: readonly string[] = process.argv.slice(2)) {
  return {
    flag: (name: string) => argv.includes(`--${name}`),
    number: (name: string, fallback: number) => {
      const i = argv.indexOf(`--${name}`);
      const value = i >= 0 ? Number(argv[i + 1]) : Number.NaN;
      return Number.isFinite(value) ? value : fallback;
    },
    string: (name: string, fallback: string) => {
      const i = argv.indexOf(`--${name}`);
      return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
    },
  };
}
