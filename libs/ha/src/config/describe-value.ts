const MAX_SHOWN = 60;

/**
 * How a bad value is shown after `got` in a problem line: strings quoted (so "8500" and 8500 differ),
 * long values cut, and secrets never shown at all.
 */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined || value === null) return 'nothing';
  if (secret) return '<redacted>';
  const shown = typeof value === 'string' ? JSON.stringify(value) : safeJson(value);
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}...` : shown;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
