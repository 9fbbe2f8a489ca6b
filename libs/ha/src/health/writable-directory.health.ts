import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IndicatorOutcome } from './disk-space.health.js';

/** The shared directory must accept writes: a read-only or unmounted share means we cannot lead. */
export async function checkWritableDirectory(path: string, instanceId: string): Promise<IndicatorOutcome> {
  const probe = join(path, `.a4c-ha-probe-${instanceId}`);
  try {
    await mkdir(path, { recursive: true });
    await writeFile(probe, String(Date.now()));
    await rm(probe, { force: true });
    return { up: true, data: { path } };
  } catch (error) {
    return { up: false, data: { path, message: (error as Error).message } };
  }
}
