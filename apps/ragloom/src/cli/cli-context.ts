import { isRagloomError, type RagloomError } from '@ragloom/core';
import { type LoadedConfig, loadConfig } from '../config/config-file.js';
import { userTrustsConfig } from '../config/config-trust.js';
import { type OpenRuntimeOptions, openRuntime, type RagloomRuntime } from '../runtime/open-runtime.js';
import { createProgressBar, type ProgressBar } from './progress-bar.js';
import { style, useColor } from './terminal.js';

export interface GlobalOptions {
  readonly config?: string;
  readonly quiet?: boolean;
  /** The user trusts the config's own code (a module config, plugins by path). */
  readonly trustConfig?: boolean;
}

export const stderrColor = () => useColor(process.stderr);

export function warn(message: string): void {
  process.stderr.write(`${style.yellow('warning', stderrColor())} ${message}\n`);
}

export function info(message: string, options: GlobalOptions = {}): void {
  if (!options.quiet) process.stderr.write(`${message}\n`);
}

/** Draws one progress bar per downloaded file (model downloads on first use). */
export function downloadProgress(): NonNullable<OpenRuntimeOptions['onProgress']> {
  const bars = new Map<string, ProgressBar>();
  return (event) => {
    if (event.phase !== 'download') return;
    const key = `${event.component}:${event.file ?? ''}`;
    let bar = bars.get(key);
    if (!bar) {
      bar = createProgressBar({ title: `download ${event.file ?? event.component}`, kind: 'bytes' });
      bars.set(key, bar);
    }
    bar.update(event.completed, event.total);
    if (event.total !== undefined && event.completed >= event.total) {
      bar.done(`downloaded ${event.file ?? event.component}`);
      bars.delete(key);
    }
  };
}

export async function loadCliConfig(options: GlobalOptions): Promise<LoadedConfig> {
  return loadConfig({ path: options.config, trustCode: userTrustsConfig(options.trustConfig) });
}

/** How a command reports on stderr, with the user's global options applied once. */
export interface CommandOutput {
  /** A note; silent under --quiet. */
  info(message: string): void;
  warn(message: string): void;
  /** What the runtime reports through: download progress bars, its log lines as notes and warnings. */
  readonly runtime: Required<Pick<OpenRuntimeOptions, 'onProgress' | 'log'>>;
}

export function commandOutput(options: GlobalOptions): CommandOutput {
  const note = (message: string) => info(message, options);
  return {
    info: note,
    warn,
    runtime: {
      onProgress: downloadProgress(),
      log: (level, message) => (level === 'warn' ? warn(message) : note(message)),
    },
  };
}

/** Opens the configured components with download progress bars and warnings on stderr. */
export async function openCliRuntime(
  options: GlobalOptions,
  extra: OpenRuntimeOptions = {},
): Promise<RagloomRuntime> {
  const loaded = await loadCliConfig(options);
  return openRuntime(loaded, { ...commandOutput(options).runtime, ...extra });
}

/** Prints an error the way every command does: `error [CODE] message`, with the cause for unknown errors. */
export function printError(error: unknown): void {
  const color = stderrColor();
  if (isRagloomError(error)) {
    const e = error as RagloomError;
    process.stderr.write(`${style.red(`error [${e.code}]`, color)} ${e.message}\n`);
    return;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${style.red('error', color)} ${message}\n`);
}

/** An AbortController fired by Ctrl-C (SIGINT) or SIGTERM; a second Ctrl-C exits at once. */
export function interruptSignal(onFirst?: () => void): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      onFirst?.();
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
