import { request } from 'node:http';

/** The only routes of /rest/admin/ a proxy sample passes from outside (GET and HEAD). */
export const OUTSIDE_PROBES = ['/rest/admin/health', '/rest/admin/ha/leader'] as const;

/** Admin routes an instance serves that a proxy must refuse from outside (403), as GET. */
export const OUTSIDE_REFUSED_READS = ['/rest/admin/ha', '/rest/admin/ha/cluster', '/rest/admin/ha/history', '/rest/admin/metrics'] as const;

/** Other spellings of them: refused, or at worst passed on to an instance that does not serve them. */
export const OTHER_SPELLINGS = [
  '/REST/ADMIN/HA/CLUSTER',
  '/Rest/Admin/metrics',
  '//rest/admin/ha/cluster',
  '/rest//admin/metrics',
  '/rest/%61dmin/metrics',
  '/rest/admin/%68a/history',
  '/rest/admin/./metrics',
  '/rest/admin/ha/leader/../cluster',
  '/rest/admin/health/../metrics',
] as const;

/** Mutations of /rest/admin/ (and writes to the probes): refused from outside. */
export const OUTSIDE_REFUSED_WRITES: readonly [string, string][] = [
  ['POST', '/rest/admin/ha/step-down'],
  ['POST', '/rest/admin/ha/failsafe'],
  ['POST', '/rest/admin/health'],
  ['PUT', '/rest/admin/ha/leader'],
  ['DELETE', '/rest/admin/ha'],
];

/** One HTTP request with the path sent exactly as given (fetch would resolve `.` and `..` first). */
export function rawRequest(port: number, method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.end();
  });
}
