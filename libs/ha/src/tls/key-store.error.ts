/**
 * Why a key or trust store cannot be used, in words for the operator. Never holds a password. The
 * loader turns it into an HaConfigError line naming the config key and the file.
 */
export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
}

/**
 * Runs a reader and lets nothing but a KeyStoreError out: DER errors and Node's own parse errors
 * (X509Certificate, createPrivateKey) mean the file is not what its format claims.
 */
export function readingStore<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof KeyStoreError) throw error;
    throw new KeyStoreError(`corrupt or unsupported file (${error instanceof Error ? error.message : String(error)})`);
  }
}
