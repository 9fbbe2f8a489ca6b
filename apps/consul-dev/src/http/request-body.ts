// Request-body helpers: reading with a size limit and Go-like JSON decoding (field names match
// case-insensitively, §1.4).
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http-error.js';

/** Reads the whole body; over `limit` bytes → 413 with Consul's wording (checked on Content-Length first). */
export async function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw tooLarge(declared, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(size, limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(size: number, limit: number): HttpError {
  return new HttpError(
    413,
    `Request body(${size} bytes) too large, max size: ${limit} bytes. See https://developer.hashicorp.com/consul/docs/agent/config/config-files#kv_max_value_size.`,
  );
}

/** Parses a JSON object body; empty → undefined; anything else → 400 `Request decode failed: ...`. */
export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  const text = body.toString('utf8').trim();
  if (text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `Request decode failed: ${(error as Error).message}`);
  }
  if (value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, `Request decode failed: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type struct`);
  }
  return value as Record<string, unknown>;
}

const normalise = (name: string) => name.replace(/_/g, '').toLowerCase();

/**
 * Maps body fields onto canonical names case-insensitively (snake_case aliases too, as Consul's
 * decoders accept them). With `strict`, an unknown field is Consul's 400 `json: unknown field "X"`.
 */
export function pickFields(body: Record<string, unknown> | undefined, canonical: readonly string[], strict: boolean): Map<string, unknown> {
  const byNorm = new Map(canonical.map((c) => [normalise(c), c]));
  const out = new Map<string, unknown>();
  for (const [name, value] of Object.entries(body ?? {})) {
    const match = byNorm.get(normalise(name));
    if (match !== undefined) out.set(match, value);
    else if (strict) throw new HttpError(400, `Request decode failed: json: unknown field ${JSON.stringify(name)}`);
  }
  return out;
}

export function decodeError(field: string, expected: string, value: unknown): HttpError {
  const got = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  return new HttpError(400, `Request decode failed: json: cannot unmarshal ${got} into Go struct field .${field} of type ${expected}`);
}

export function asString(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw decodeError(field, 'string', value);
  return value;
}

export function asStringList(value: unknown, field: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw decodeError(field, '[]string', value);
  return value as string[];
}

export function asInt(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw decodeError(field, 'int', value);
  return value;
}

export function asBool(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw decodeError(field, 'bool', value);
  return value;
}
