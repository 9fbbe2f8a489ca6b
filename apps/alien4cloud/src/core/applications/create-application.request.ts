import { applicationNameProblem } from './application-name.js';

export interface CreateApplicationRequest {
  readonly name: string;
  readonly description?: string;
}

const FIELDS = ['name', 'description'];
const MAX_DESCRIPTION = 4096;

/** Checks a POST body by hand (no validation library): the request, or the reason for a 400. */
export function parseCreateApplicationRequest(body: unknown): { request: CreateApplicationRequest } | { reason: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { reason: 'expected a JSON object like {"name": "my-app"}' };
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !FIELDS.includes(key));
  if (unknown.length > 0) return { reason: `unknown field(s): ${unknown.map((k) => JSON.stringify(k)).join(', ')} (expected: name, description)` };
  const nameProblem = applicationNameProblem(fields.name);
  if (nameProblem) return { reason: nameProblem };
  const { description } = fields;
  if (description !== undefined && description !== null) {
    if (typeof description !== 'string') return { reason: `"description" must be a string, got ${typeof description}` };
    if (description.length > MAX_DESCRIPTION) return { reason: `"description" must be at most ${MAX_DESCRIPTION} characters` };
    return { request: { name: fields.name as string, description } };
  }
  return { request: { name: fields.name as string } };
}
