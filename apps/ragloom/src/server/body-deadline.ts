import type { IncomingMessage } from 'node:http';

export interface BodyDeadline {
  /** The whole body must arrive within this long of the handler starting to read it. */
  readonly timeoutMs: number;
  /**
   * After `graceMs`, a body arriving slower than this on average is cut off (a client trickling a byte
   * every few seconds would otherwise hold its connection for the whole timeout).
   */
  readonly minBytesPerSecond: number;
  readonly graceMs: number;
}

export type RawBodyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: 'too_large' | 'too_slow' | 'timeout' | 'aborted' };

/**
 * Reads a request body of at most `limit` bytes under a deadline and a minimum rate. It settles on the
 * first of: the end of the body, too many bytes, the deadline, the rate check, or the client going away;
 * on a refusal the rest of the body is no longer read (the caller answers and closes the connection).
 */
export function readBodyWithDeadline(
  req: IncomingMessage,
  limit: number,
  deadline: BodyDeadline,
): Promise<RawBodyResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: RawBodyResult) => {
      clearTimeout(timer);
      clearInterval(rateCheck);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('close', onClose);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish({ ok: false, reason: 'too_large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, bytes: Buffer.concat(chunks) });
    const onAborted = () => finish({ ok: false, reason: 'aborted' });
    const onClose = () => {
      if (!req.complete) onAborted();
    };
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), deadline.timeoutMs);
    const rateCheck = setInterval(
      () => {
        const elapsed = Date.now() - started;
        if (elapsed >= deadline.graceMs && (size * 1000) / elapsed < deadline.minBytesPerSecond)
          finish({ ok: false, reason: 'too_slow' });
      },
      Math.max(50, Math.min(1000, deadline.graceMs / 2)),
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('close', onClose);
    if (req.complete) onEnd();
  });
}
