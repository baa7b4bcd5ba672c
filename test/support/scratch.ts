import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Temporary folders for a suite's files (decoded channel configs, a CRL), removed by a root `after` hook
 * once the run ends. Call it at a test file's top level: the hook registers on load.
 */
export function scratchFolders(prefix: string): () => string {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
