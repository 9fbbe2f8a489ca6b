/**
 * Why a key or trust store cannot be used, in words for the operator. Never holds a password. The
 * loader turns it into an HaConfigError line naming the config key and the file.
 */
export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
}
