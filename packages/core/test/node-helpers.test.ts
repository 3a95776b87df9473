import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable, isRagloomError } from '../src/index.js';
import { writeFileAtomic } from '../src/node/index.js';

describe('crc32', () => {
  it('matches zlib (the standard check value and random data, whole and continued)', () => {
    expect(crc32Portable(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const data = new Uint8Array(10_007).map((_, i) => (i * 2654435761) >>> 24);
    expect(crc32Portable(data)).toBe(zlibCrc32(data));
    expect(crc32Portable(data.subarray(5000), crc32Portable(data.subarray(0, 5000)))).toBe(zlibCrc32(data));
    expect(crc32(data)).toBe(zlibCrc32(data));
    expect(crc32Portable(new Uint8Array(0))).toBe(0);
  });
});

describe('writeFileAtomic', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'ragloom-atomic-'));

  it('replaces the content and leaves no temporary file', async () => {
    const folder = dir();
    const path = join(folder, 'sub', 'index.bin');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    async function* lines() {
      yield 'a\n';
      yield new TextEncoder().encode('b\n');
    }
    await writeFileAtomic(path, lines());
    expect(readFileSync(path, 'utf8')).toBe('a\nb\n');
    expect(readdirSync(join(folder, 'sub'))).toEqual(['index.bin']);
  });

  it('keeps the old file when writing fails midway, and says IO_ERROR with the path', async () => {
    const folder = dir();
    const path = join(folder, 'index.bin');
    writeFileSync(path, 'intact');
    async function* failing() {
      yield 'partial';
      throw new Error('producer crashed');
    }
    const error = await writeFileAtomic(path, failing()).catch((e: unknown) => e);
    expect(isRagloomError(error, 'IO_ERROR')).toBe(true);
    expect((error as Error).message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe('intact');
    expect(readdirSync(folder)).toEqual(['index.bin']);
  });
});
