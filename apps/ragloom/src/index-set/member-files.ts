import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { RagloomError } from '@ragloom/core';

/** One file of a member's storage folder, as the set manifest records it. */
export interface MemberFile {
  /** Relative to the member folder, with `/`. */
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** Temp files of an atomic write that was cut short (`.<name>.<pid>.<rand>.tmp`) are not part of an index. */
const isTemporary = (name: string) => name.startsWith('.') && name.endsWith('.tmp');

/** The regular files under `dir`, sorted, relative and with `/` (a missing folder has none). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(folder: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && !isTemporary(entry.name)) out.push(relative(dir, full).split(sep).join('/'));
    }
  }
  await walk(dir);
  return out.sort();
}

export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot fsync a folder; renames and links are still atomic there.
  }
}

function ioError(message: string, cause: unknown, path: string): RagloomError {
  return new RagloomError('IO_ERROR', `${message}: ${(cause as Error).message}`, {
    cause,
    details: { path },
  });
}

/**
 * Copies every file of `from` into `to` (a reflink where the file system has them, else a real copy),
 * fsyncs the copies and returns what was copied with sizes and checksums, hashed from the copies.
 */
export async function copyFilesHashed(from: string, to: string): Promise<MemberFile[]> {
  const files: MemberFile[] = [];
  try {
    for (const name of await listFiles(from)) {
      const target = join(to, ...name.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(join(from, ...name.split('/')), target, constants.COPYFILE_FICLONE);
      await syncFile(target);
      files.push({ name, ...(await hashFile(target)) });
    }
    await syncFolder(to);
  } catch (error) {
    throw ioError(`cannot copy the index files of ${from} to ${to}`, error, to);
  }
  return files;
}

/** The first way in which the files in `dir` differ from `expected`, or undefined when they match. */
export async function compareFiles(
  dir: string,
  expected: readonly MemberFile[],
): Promise<string | undefined> {
  for (const file of expected) {
    const path = join(dir, ...file.name.split('/'));
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return `${file.name} is missing`;
    if (info.size !== file.bytes)
      return `${file.name} has ${info.size} bytes, the set recorded ${file.bytes}`;
    const { sha256 } = await hashFile(path);
    if (sha256 !== file.sha256)
      return `${file.name} has other contents than the set recorded (sha256 differs)`;
  }
  return undefined;
}

/** Copies recorded files into a fresh folder, checking each copy against its recorded checksum. */
export async function copyRecordedFiles(
  from: string,
  files: readonly MemberFile[],
  to: string,
): Promise<string | undefined> {
  await mkdir(to, { recursive: true });
  for (const file of files) {
    const source = join(from, ...file.name.split('/'));
    const target = join(to, ...file.name.split('/'));
    await mkdir(dirname(target), { recursive: true });
    try {
      await copyFile(source, target, constants.COPYFILE_FICLONE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return `${file.name} is missing`;
      throw ioError(`cannot copy ${source}`, error, source);
    }
  }
  return compareFiles(to, files);
}
