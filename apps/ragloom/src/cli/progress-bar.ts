export interface ProgressBarOptions {
  /** Shown before the bar, e.g. "ingest". */
  readonly title: string;
  /** 'items' prints counts with `unit` (docs); 'bytes' prints MB and MB/s. */
  readonly kind?: 'items' | 'bytes';
  readonly unit?: string;
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Redraw in place (default: the stream is a TTY). Otherwise a line is printed every `logEveryMs`. */
  readonly interactive?: boolean;
  readonly logEveryMs?: number;
  readonly now?: () => number;
}

export interface ProgressBar {
  update(completed: number, total?: number, detail?: string): void;
  /** Ends the bar with a final line. */
  done(message?: string): void;
  /**
   * Ends the bar with a line saying where it stopped — `interrupted at 120/300 docs · 40 chunks` — from the
   * same count and detail the bar last had, so what is printed after Ctrl-C is what the bar showed.
   */
  stop(prefix: string): void;
  /** Removes the bar so other output can be printed; the next update draws it again. */
  clear(): void;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * A terminal progress bar with rate and ETA: `ingest ████████░░░░ 120/300 docs · 42.0 docs/s · ETA 4s`.
 * The rate shown is smoothed over recent updates, the ETA uses the whole run's rate; on a non-TTY stream it prints a plain line now and then instead.
 */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const interactive = options.interactive ?? stream.isTTY === true;
  const now = options.now ?? Date.now;
  const kind = options.kind ?? 'items';
  const unit = options.unit ?? 'items';
  const logEvery = options.logEveryMs ?? 2000;
  const started = now();
  let rate = 0;
  let lastSample = { t: started, completed: 0 };
  let lastDraw = 0;
  let lastLog = 0;
  let drawn = false;
  let state = { completed: 0, total: undefined as number | undefined, detail: '' };

  const countText = () => {
    const { completed, total } = state;
    return kind === 'bytes'
      ? `${mb(completed)}${total ? ` / ${mb(total)}` : ''}`
      : `${completed}${total !== undefined ? `/${total}` : ''} ${unit}`;
  };

  const render = () => {
    const { completed, total, detail } = state;
    const elapsed = (now() - started) / 1000;
    // Too early for a rate that means anything: the first samples are dominated by start-up.
    const settled = elapsed >= 1;
    const shownRate = !settled ? 0 : rate > 0 ? rate : completed / elapsed;
    const count = countText();
    const speed = !settled
      ? ''
      : kind === 'bytes'
        ? ` · ${mb(shownRate)}/s`
        : ` · ${shownRate.toFixed(1)} ${unit}/s`;
    // The ETA uses the rate of the whole run, not the recent one: one slow item (a big PDF, a long
    // embedding batch) must not make a 13-second job promise minutes, nor a fast burst promise seconds.
    const averageRate = elapsed > 0 ? completed / elapsed : 0;
    const eta =
      total !== undefined && settled && averageRate > 0
        ? ` · ETA ${formatDuration((total - completed) / averageRate)}`
        : '';
    let bar = '';
    if (total !== undefined && total > 0) {
      const width = 24;
      const filled = Math.min(width, Math.round((completed / total) * width));
      bar = ` ${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    }
    const line = `${options.title}${bar} ${count}${speed}${eta}${detail ? ` · ${detail}` : ''}`;
    const columns = stream.columns ?? 120;
    return line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line;
  };

  const done = (message?: string) => {
    if (interactive && drawn) stream.write('\r\x1b[2K');
    drawn = false;
    const elapsed = formatDuration((now() - started) / 1000);
    stream.write(`${message ?? render()} (${elapsed})\n`);
  };

  return {
    update(completed, total, detail) {
      const t = now();
      const dt = (t - lastSample.t) / 1000;
      if (dt >= 0.25) {
        const instant = (completed - lastSample.completed) / dt;
        rate = rate === 0 ? instant : 0.7 * rate + 0.3 * instant;
        lastSample = { t, completed };
      }
      state = { completed, total, detail: detail ?? state.detail };
      if (interactive) {
        if (t - lastDraw < 80 && completed !== total) return;
        lastDraw = t;
        stream.write(`\r\x1b[2K${render()}`);
        drawn = true;
      } else if (t - lastLog >= logEvery) {
        lastLog = t;
        stream.write(`${render()}\n`);
      }
    },
    done,
    stop(prefix) {
      done(`${prefix} ${countText()}${state.detail ? ` · ${state.detail}` : ''}`);
    },
    clear() {
      if (interactive && drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
