/**
 * One attempt's abort signal: fires when the caller aborts, or when `ms` pass without `touch()` (an idle
 * timeout, so a long stream that keeps sending is never cut, but a stalled one is).
 */
export interface AttemptTimeout {
  readonly signal: AbortSignal;
  /** Whether the timer (not the caller) ended the attempt. */
  readonly timedOut: boolean;
  touch(): void;
  dispose(): void;
}

export function createAttemptTimeout(ms: number, outer: AbortSignal | undefined): AttemptTimeout {
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no response within ${ms} ms`));
    }, ms);
  };
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  arm();
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    touch() {
      if (!controller.signal.aborted) arm();
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}
