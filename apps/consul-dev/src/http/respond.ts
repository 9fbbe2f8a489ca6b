// Response writing with Consul's conventions (§1.2, §1.5): JSON success bodies (`?pretty` indents),
// plain-text errors, and the read-metadata headers.
import type { ServerResponse } from 'node:http';
import type { KvEntry } from '../state/kv-store.js';

export type Consistency = 'leader' | 'consistent' | 'stale';

export interface QueryMeta {
  index: number;
  knownLeader: boolean;
  lastContactMs: number;
  consistency: Consistency;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, pretty = false): void {
  sendRaw(res, status, 'application/json', JSON.stringify(body, null, pretty ? 4 : undefined));
}

/** A JSON document already serialised (KV entries carry uint64 flags that JSON.stringify cannot). */
export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  sendRaw(res, status, 'application/json', text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  sendRaw(res, status, 'text/plain; charset=utf-8', text);
}

export function sendRaw(res: ServerResponse, status: number, contentType: string | undefined, body: string | Buffer): void {
  if (res.headersSent || res.destroyed) return;
  if (contentType !== undefined) res.setHeader('Content-Type', contentType);
  res.statusCode = status;
  res.end(body);
}

/** setMeta: X-Consul-Index is never 0 (a computed 0 is sent as 1). */
export function setQueryMeta(res: ServerResponse, meta: QueryMeta): void {
  res.setHeader('X-Consul-Index', String(Math.max(1, meta.index)));
  res.setHeader('X-Consul-KnownLeader', String(meta.knownLeader));
  res.setHeader('X-Consul-LastContact', String(Math.round(meta.lastContactMs)));
  res.setHeader('X-Consul-Effective-Consistency', meta.consistency);
  res.setHeader('X-Consul-Query-Backend', 'blocking-query');
}

/** structs.DirEntry in Go's field order; Flags is a uint64 written as an exact integer. */
export function kvEntryJson(e: KvEntry): string {
  const parts = [
    `"LockIndex":${e.lockIndex}`,
    `"Key":${JSON.stringify(e.key)}`,
    `"Flags":${e.flags.toString()}`,
    `"Value":${e.value ? JSON.stringify(e.value.toString('base64')) : 'null'}`,
  ];
  if (e.session !== undefined) parts.push(`"Session":${JSON.stringify(e.session)}`);
  parts.push(`"CreateIndex":${e.createIndex}`, `"ModifyIndex":${e.modifyIndex}`);
  return `{${parts.join(',')}}`;
}
