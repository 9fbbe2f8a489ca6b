/** 1-64 characters, starting with a letter or digit, then letters, digits, spaces, ".", "_" or "-". */
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
/** What applicationIdOf() can produce: how GET/DELETE tell a possible id from garbage. */
const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Undefined when the name is valid, otherwise the reason (for a 400). */
export function applicationNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `"name" must be a string, got ${name === undefined ? 'nothing' : typeof name}`;
  if (name.length < 1 || name.length > 64) return `"name" must be 1-64 characters long, got ${name.length}`;
  if (!NAME.test(name)) return '"name" must start with a letter or digit and contain only letters, digits, spaces, ".", "_" or "-"';
  return undefined;
}

/**
 * The id is derived from the name (lower case, spaces as "-") so that the store's atomic create refuses
 * a second application with the same name, even one created by another instance at the same moment.
 * Consequence, on purpose: "My App", "my app" and "my-app" are the same application.
 */
export function applicationIdOf(name: string): string {
  return name.toLowerCase().replace(/ /g, '-');
}

export function isApplicationId(id: string): boolean {
  return ID.test(id);
}
