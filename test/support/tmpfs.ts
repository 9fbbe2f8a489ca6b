import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small tmpfs mounted on a directory, so a test can make one instance's `directories.alien` run out
 * of space for real (statfs reports it; nothing in the server is faked). Needs root (CI runs as root);
 * `canMountTmpfs()` says whether this machine allows it, so the scenario can be skipped honestly.
 */
export interface Tmpfs {
  readonly dir: string;
  /** Writes a file of `bytes` zeroes: free space drops by that much. */
  fill(bytes: number): void;
  /** Removes what fill() wrote. */
  empty(): void;
  freeBytes(): number;
  unmount(): void;
}

const mounted = new Set<string>();
let exitHook = false;

export function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'a4c-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(probe);
  }
}

export function mountTmpfs(dir: string, sizeBytes: number): Tmpfs {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  mounted.add(dir);
  if (!exitHook) {
    exitHook = true;
    // last resort if a run dies before its afterEach: never leave a mount behind
    process.once('exit', () => [...mounted].forEach(unmountQuietly));
  }
  const ballast = join(dir, 'ballast.bin');
  return {
    dir,
    fill: (bytes) => writeFileSync(ballast, Buffer.alloc(bytes)),
    empty: () => rmSync(ballast, { force: true }),
    freeBytes: () => {
      const stats = statfsSync(dir);
      return stats.bavail * stats.bsize;
    },
    unmount: () => unmountQuietly(dir),
  };
}

function unmountQuietly(dir: string): void {
  if (!mounted.delete(dir)) return;
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    // still busy (a process we could not stop): detach it now, the kernel frees it when released
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      /* nothing more we can do */
    }
  }
}
