import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Accepts `Authorization: Bearer <t>` or `X-A4C-Admin-Token: <t>`, compared in constant time. */
export function hasAdminToken(headers: IncomingHttpHeaders, expected: string): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
  const given = bearer ?? (headers['x-a4c-admin-token'] as string | undefined);
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
