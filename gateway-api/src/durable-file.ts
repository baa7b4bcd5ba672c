import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Replaces a file so that after a crash it holds either the old or the new content, never a torn mix:
 * written to a temporary file beside it, flushed to disk, then renamed over it (and the rename flushed).
 * Readable by the owner only. `tag` keeps concurrent writers (two processes, one file) off each other's
 * temporary file.
 */
export function writeFileDurably(file: string, content: string, tag: string | number = process.pid): void {
  const tmp = `${file}.${tag}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  // The rename lives in the folder: flushed too, so that a power loss cannot bring the old file back.
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** A JSON file written by `writeFileDurably`, or undefined when there is none; an unreadable one throws. */
export function readJsonFile<T>(file: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}
