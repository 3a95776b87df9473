import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRagloomError } from '@ragloom/core';
import { rejectionOf } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { acquireWriterLock, LOCK_FILE, readWriterLock } from '../src/index-set/writer-lock.js';
import { APP_DIR } from './helpers/project.js';

const LOCK_MODULE = join(APP_DIR, 'dist', 'index-set', 'writer-lock.js');

/** A pid that no process has: one that just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

function writeLock(dataDir: string, fields: Record<string, unknown>, ageMs = 0): void {
  const path = join(dataDir, LOCK_FILE);
  writeFileSync(
    path,
    JSON.stringify({
      format: 'ragloom-writer-lock',
      lockId: `lock-${Math.random()}`,
      pid: process.pid,
      hostname: 'this-host',
      command: 'ragloom ingest other',
      role: 'writer',
      startedAt: new Date().toISOString(),
      token: 'x',
      ...fields,
    }),
  );
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
}

describe('the writer lock of a data dir', () => {
  it('a second writer fails with INDEX_LOCKED naming the holder, or gets the lock once it is released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const first = await acquireWriterLock(dir, { command: 'ragloom ingest a' });
    const error = await rejectionOf(acquireWriterLock(dir, { command: 'ragloom ingest b' }));
    expect(isRagloomError(error, 'INDEX_LOCKED')).toBe(true);
    expect(error.message).toContain('`ragloom ingest a`');
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.details.holder).toMatchObject({ pid: process.pid, command: 'ragloom ingest a' });

    const waits: string[] = [];
    const second = acquireWriterLock(dir, {
      command: 'ragloom ingest b',
      waitMs: 5_000,
      onWait: (status) => waits.push(status.holder!.command),
    });
    setTimeout(() => first.release(), 300);
    const lock = await second;
    expect(waits).toEqual(['ragloom ingest a']);
    expect((await readWriterLock(dir))?.holder?.command).toBe('ragloom ingest b');
    await lock.release();
    expect(await readWriterLock(dir)).toBeUndefined();
  });

  it('recovers a lock whose process was killed, but never one whose process runs, however old its heartbeat', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const { hostname } = await import('node:os');
    writeLock(dir, { pid: deadPid(), hostname: hostname() });
    const status = await readWriterLock(dir);
    expect(status?.stale).toBe(true);
    expect(status?.staleReason).toMatch(/its process \(pid \d+\) is gone/);
    const taken = await acquireWriterLock(dir);
    await taken.release();

    // Our own pid is alive: a heartbeat ten minutes old does not make the lock stale on this machine.
    writeLock(dir, { hostname: hostname(), startTicks: undefined }, 10 * 60_000);
    expect((await readWriterLock(dir))?.stale).toBe(false);
    expect(isRagloomError(await rejectionOf(acquireWriterLock(dir, { waitMs: 300 })), 'INDEX_LOCKED')).toBe(
      true,
    );
  });

  it('judges a lock from another machine by its heartbeat', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    writeLock(dir, { hostname: 'another-machine' }, 5_000);
    expect((await readWriterLock(dir, { staleMs: 30_000 }))?.stale).toBe(false);
    expect(
      isRagloomError(await rejectionOf(acquireWriterLock(dir, { staleMs: 30_000 })), 'INDEX_LOCKED'),
    ).toBe(true);
    writeLock(dir, { hostname: 'another-machine' }, 60_000);
    const status = await readWriterLock(dir, { staleMs: 30_000 });
    expect(status?.staleReason).toMatch(/no heartbeat for \d+ s/);
    const lock = await acquireWriterLock(dir, { staleMs: 30_000 });
    await lock.release();
  });

  it('a holder killed with kill -9 is replaced by the next writer at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { acquireWriterLock } = await import(${JSON.stringify(LOCK_MODULE)});
         await acquireWriterLock(${JSON.stringify(dir)}, { command: 'victim' });
         process.stdout.write('held\\n');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    expect((await readWriterLock(dir))?.holder?.command).toBe('victim');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const lock = await acquireWriterLock(dir, { waitMs: 5_000 });
    expect(lock.holder.pid).toBe(process.pid);
    await lock.release();
  });

  it('of six processes racing for a stale lock, each dying with it, exactly one holds it at any time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-race-'));
    const { hostname } = await import('node:os');
    writeLock(dir, { pid: deadPid(), hostname: hostname() });
    const log = join(dir, 'log.txt');
    writeFileSync(log, '');
    const script = `
      const { appendFileSync } = await import('node:fs');
      const { acquireWriterLock } = await import(${JSON.stringify(LOCK_MODULE)});
      const lock = await acquireWriterLock(${JSON.stringify(dir)}, { waitMs: 60_000 });
      appendFileSync(${JSON.stringify(log)}, 'enter ' + process.pid + '\\n');
      await new Promise((r) => setTimeout(r, 80));
      appendFileSync(${JSON.stringify(log)}, 'exit ' + process.pid + '\\n');
      // Die holding it, as kill -9 would: the others then race for a stale lock again.
      process.kill(process.pid, 'SIGKILL');`;
    const racers = Array.from({ length: 6 }, () =>
      spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
    const ends = await Promise.all(
      racers.map((c) => new Promise((resolve) => c.on('exit', (_code, signal) => resolve(signal)))),
    );
    expect(ends).toEqual(Array(6).fill('SIGKILL'));
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(12);
    // Entries and exits alternate, each exit by the process that entered: no two ever held it together.
    for (let i = 0; i < lines.length; i += 2) {
      const [enter, who] = lines[i]!.split(' ');
      expect(enter).toBe('enter');
      expect(lines[i + 1]).toBe(`exit ${who}`);
    }
    expect(new Set(lines.map((l) => l.split(' ')[1])).size).toBe(6);
    expect((await readWriterLock(dir))?.stale).toBe(true); // the last one died with it
  }, 60_000);
});
