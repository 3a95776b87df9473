// One ground-truth thread: exact top-k by brute force for queries [from, to) (see bruteForceParallel).
import { closeSync, openSync, readSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { bruteForceTopK, selOf } from './datasets.js';

const { file, baseCount, dim, k, below, from, to, out, done } = workerData as {
  file: string;
  baseCount: number;
  dim: number;
  k: number;
  below: number;
  from: number;
  to: number;
  out: Int32Array;
  done: Int32Array;
};

const read = (floatOffset: number, floats: number) => {
  const target = new Float32Array(floats);
  const bytes = new Uint8Array(target.buffer);
  const fd = openSync(file, 'r');
  let got = 0;
  while (got < bytes.byteLength) {
    const n = readSync(fd, bytes, got, Math.min(1 << 30, bytes.byteLength - got), floatOffset * 4 + got);
    if (n === 0) throw new Error(`${file} ended early`);
    got += n;
  }
  closeSync(fd);
  return target;
};
const base = read(0, baseCount * dim);
const queries = read((baseCount + from) * dim, (to - from) * dim);
const result = bruteForceTopK(base, queries, dim, k, below >= 1000 ? null : (b) => selOf(b) < below);
out.set(result, from * k);
Atomics.add(done, 0, 1);
Atomics.notify(done, 0);
