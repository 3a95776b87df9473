/**
 * An in-process readers–writer gate. Searches enter as readers; a commit enters as the writer, so no
 * search ever sees a half-applied commit. Whether a reader may enter is decided synchronously when it
 * calls, so the searches a pipeline starts together (one per retriever, in one tick) all see the same
 * generation. A queued writer holds back new readers (no writer starvation); when it is done, every
 * reader that queued meanwhile enters before the next writer (no reader starvation).
 */
export interface ReadWriteGate {
  read<T>(fn: () => Promise<T>): Promise<T>;
  write<T>(fn: () => Promise<T>): Promise<T>;
}

export function createReadWriteGate(): ReadWriteGate {
  let readers = 0;
  let writing = false;
  let queuedReaders: (() => void)[] = [];
  const queuedWriters: (() => void)[] = [];

  const startWriterIfFree = () => {
    if (writing || readers > 0 || queuedWriters.length === 0) return;
    writing = true;
    queuedWriters.shift()!();
  };

  return {
    read(fn) {
      let entered: Promise<void>;
      if (!writing && queuedWriters.length === 0) {
        readers++;
        entered = Promise.resolve();
      } else {
        entered = new Promise<void>((resolve) => queuedReaders.push(resolve));
      }
      return entered.then(fn).finally(() => {
        readers--;
        startWriterIfFree();
      });
    },
    write(fn) {
      const entered = new Promise<void>((resolve) => queuedWriters.push(resolve));
      startWriterIfFree();
      return entered.then(fn).finally(() => {
        writing = false;
        if (queuedReaders.length > 0) {
          const batch = queuedReaders;
          queuedReaders = [];
          readers += batch.length;
          for (const resolve of batch) resolve();
        } else {
          startWriterIfFree();
        }
      });
    },
  };
}
