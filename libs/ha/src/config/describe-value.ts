const MAX_SHOWN = 60;

/**
 * How a bad value is shown after `got` in a problem line: strings quoted (so "8500" and 8500 differ),
 * long values cut, credentials inside URLs replaced, and secrets never shown at all. The one renderer
 * of the plugin's and the host application's configuration problems.
 */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined || value === null) return 'nothing';
  if (secret) return '<redacted>';
  const shown = redactUrlCredentials(typeof value === 'string' ? JSON.stringify(value) : safeJson(value));
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}...` : shown;
}

/** Credentials embedded in URLs (`https://user:pass@host`) are secrets too. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/(\/\/)[^/@\s"]+@/g, '$1<redacted>@');
}

/**
 * What follows `path: ` for a key the section does not know: the closest known key when one is near
 * (`closest`), else the known keys when the list is short enough to read, else nothing more.
 */
export function unknownKeyMessage(closest: string | undefined, known: readonly string[]): string {
  if (closest) return `unknown key (did you mean ${closest}?)`;
  return known.length <= 8 ? `unknown key (known keys: ${known.join(', ')})` : 'unknown key';
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
