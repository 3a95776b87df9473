/**
 * Streams text through stop sequences that may straddle token boundaries. `push` returns the text
 * that is safe to emit: everything before a match, minus a tail that could still turn into one.
 * Generators (local or remote) use it so that a stop sequence is never emitted, even partially.
 */
export interface StopSequenceMatcher {
  push(delta: string): { text: string; stopped: boolean };
  /** The held-back tail once generation ends without a match. */
  flush(): string;
}

export function createStopSequenceMatcher(stops: readonly string[] | undefined): StopSequenceMatcher {
  const sequences = (stops ?? []).filter((s) => s.length > 0);
  const longest = sequences.reduce((m, s) => Math.max(m, s.length), 0);
  let pending = '';
  let stopped = false;
  return {
    push(delta) {
      if (stopped) return { text: '', stopped: true };
      if (sequences.length === 0) return { text: delta, stopped: false };
      pending += delta;
      let cut = -1;
      for (const s of sequences) {
        const at = pending.indexOf(s);
        if (at !== -1 && (cut === -1 || at < cut)) cut = at;
      }
      if (cut !== -1) {
        stopped = true;
        const text = pending.slice(0, cut);
        pending = '';
        return { text, stopped: true };
      }
      // Hold back the longest suffix that is a proper prefix of some stop sequence.
      let hold = 0;
      for (let n = Math.min(longest - 1, pending.length); n > 0; n--) {
        const tail = pending.slice(pending.length - n);
        if (sequences.some((s) => s.startsWith(tail))) {
          hold = n;
          break;
        }
      }
      const text = pending.slice(0, pending.length - hold);
      pending = pending.slice(pending.length - hold);
      return { text, stopped: false };
    },
    flush() {
      const rest = stopped ? '' : pending;
      pending = '';
      return rest;
    },
  };
}
