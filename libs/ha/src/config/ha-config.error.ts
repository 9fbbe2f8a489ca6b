/**
 * The configuration cannot work. Carries every problem found (one `ha.key: ...` line each) so the
 * operator fixes them all in one go; the message is those lines joined by newlines. Never contains a
 * secret: validators redact them before building the lines.
 */
export class HaConfigError extends Error {
  override readonly name = 'HaConfigError';

  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}
