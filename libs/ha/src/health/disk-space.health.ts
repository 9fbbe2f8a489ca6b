import { statfs } from 'node:fs/promises';

export interface IndicatorOutcome {
  up: boolean;
  data: Record<string, unknown>;
}

/** Free space under directories.alien against ha.health_disk_space_threshold (A4C's disk check). */
export async function checkDiskSpace(path: string, thresholdBytes: number): Promise<IndicatorOutcome> {
  try {
    const stats = await statfs(path);
    const free = Number(stats.bavail) * Number(stats.bsize); // bavail: what an unprivileged writer gets
    return { up: free >= thresholdBytes, data: { path, free, threshold: thresholdBytes } };
  } catch (error) {
    return { up: false, data: { path, message: (error as Error).message } };
  }
}
