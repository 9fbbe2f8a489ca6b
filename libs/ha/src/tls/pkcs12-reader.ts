import { createSecureContext } from 'node:tls';
import { TAG, childrenOf, expectNode, integerOf, octetsOf, oidOf, readNode, type DerNode } from './der.js';
import { KeyStoreError } from './key-store.error.js';
import { MAX_PBE_ITERATIONS, checkIterations, checkPbeIterations, decryptPbe, hashByOid } from './pkcs12-pbe.js';

const DATA = '1.2.840.113549.1.7.1';
const ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const X509_CERT = '1.2.840.113549.1.9.22.1';

export interface Pkcs12Contents {
  /** DER certificates, in file order. */
  readonly certificates: Buffer[];
  /** Private keys present (left encrypted: Node's own pfx loader uses them). */
  readonly keyCount: number;
}

/** True when the bytes look like a PFX: SEQUENCE { INTEGER 3, ContentInfo, ... }. */
export function looksLikePkcs12(bytes: Buffer): boolean {
  try {
    const [version, authSafe] = childrenOf(expectNode(bytes, TAG.SEQUENCE));
    return integerOf(version) === 3 && authSafe.tag === TAG.SEQUENCE;
  } catch {
    return false;
  }
}

/**
 * Opens a PKCS#12 store in three steps. 1. The checks this reader can make without the password:
 * structure, an integrity MAC is present, and no key derivation in sight asks for more iterations than
 * allowed (a crafted count cannot stall startup). 2. Node's own OpenSSL verifies the MAC with the
 * password and loads the key (`tls.createSecureContext({ pfx, passphrase })`); a wrong password stops
 * there, after capped work only. 3. What OpenSSL cannot give is read here: the certificates (the trust
 * anchors of a trust store, the chain of a key store), decrypting certificate bags only, never keys.
 */
export function openPkcs12(bytes: Buffer, password: string): Pkcs12Contents {
  inspectPkcs12(bytes);
  let keyless = false;
  try {
    createSecureContext({ pfx: bytes, passphrase: password });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/mac verify failure/i.test(message)) throw new KeyStoreError('wrong password or corrupt file (integrity check failed)');
    // OpenSSL checks the MAC before it looks for the key: a trust store (no key) got past the password.
    if (!/unable to load private key/i.test(message)) throw new KeyStoreError(`OpenSSL cannot load it (${message})`);
    keyless = true;
  }
  const contents = readPkcs12(bytes, password);
  if (keyless && contents.keyCount > 0) throw new KeyStoreError('OpenSSL cannot load its private key');
  return contents;
}

/** Step 1 of openPkcs12: everything that can be refused before any key derivation runs. */
function inspectPkcs12(bytes: Buffer): void {
  const { macData, authSafeBytes } = outerOf(bytes);
  checkMac(macData);
  for (const contentInfo of childrenOf(expectNode(authSafeBytes, TAG.SEQUENCE))) {
    const [contentType, wrapped] = childrenOf(contentInfo);
    const type = oidOf(contentType);
    if (type === ENCRYPTED_DATA) {
      checkPbeIterations(childrenOf(childrenOf(readNode(wrapped.content))[1])[1]);
    } else if (type === DATA) {
      for (const bag of childrenOf(expectNode(octetsOf(readNode(wrapped.content)), TAG.SEQUENCE))) {
        const [bagId, bagValue] = childrenOf(bag);
        if (oidOf(bagId) === SHROUDED_KEY_BAG) checkPbeIterations(childrenOf(readNode(bagValue.content))[0]);
      }
    }
  }
}

/**
 * Lists a PKCS#12 file's certificates and counts its keys, with the same caps (step 3 of openPkcs12,
 * which callers use: on its own this does not verify the password).
 */
function readPkcs12(bytes: Buffer, password: string): Pkcs12Contents {
  const { macData, authSafeBytes } = outerOf(bytes);
  checkMac(macData);
  const certificates: Buffer[] = [];
  let keyCount = 0;
  for (const contentInfo of childrenOf(expectNode(authSafeBytes, TAG.SEQUENCE))) {
    for (const bag of childrenOf(expectNode(safeContentsOf(contentInfo, password), TAG.SEQUENCE))) {
      const [bagId, bagValue] = childrenOf(bag);
      const id = oidOf(bagId);
      if (id === KEY_BAG) keyCount++;
      if (id === SHROUDED_KEY_BAG) {
        keyCount++;
        checkPbeIterations(childrenOf(readNode(bagValue.content))[0]);
      }
      if (id === CERT_BAG) {
        const [certType, certValue] = childrenOf(readNode(bagValue.content));
        if (oidOf(certType) === X509_CERT) certificates.push(Buffer.from(octetsOf(readNode(certValue.content))));
      }
    }
  }
  return { certificates, keyCount };
}

/** The PFX's authenticated content and its MAC, which must be there. */
function outerOf(bytes: Buffer): { macData: DerNode; authSafeBytes: Buffer } {
  const [, authSafe, macData] = childrenOf(expectNode(bytes, TAG.SEQUENCE));
  if (!authSafe) throw new KeyStoreError('truncated PKCS#12 store');
  const [contentType, wrapped] = childrenOf(authSafe);
  if (oidOf(contentType) !== DATA) throw new KeyStoreError('unsupported PKCS#12 (public-key integrity mode)');
  if (!macData) throw new KeyStoreError('the PKCS#12 store has no integrity MAC, so tampering would go unnoticed: export it with a password');
  return { macData, authSafeBytes: octetsOf(readNode(wrapped.content)) };
}

function safeContentsOf(contentInfo: DerNode, password: string): Buffer {
  const [contentType, wrapped] = childrenOf(contentInfo);
  const type = oidOf(contentType);
  if (type === DATA) return octetsOf(readNode(wrapped.content));
  if (type !== ENCRYPTED_DATA) throw new KeyStoreError(`unsupported PKCS#12 content ${type}`);
  const [, encryptedContentInfo] = childrenOf(readNode(wrapped.content));
  const [, algorithm, encrypted] = childrenOf(encryptedContentInfo);
  return decryptPbe(algorithm, octetsOf(encrypted), password);
}

/** The MAC's digest must be one OpenSSL verifies and its iteration count within the cap. */
function checkMac(macData: DerNode): void {
  const [digestInfo, , iterationsNode] = childrenOf(macData);
  const [algorithm] = childrenOf(digestInfo);
  hashByOid(oidOf(childrenOf(algorithm)[0]));
  if (iterationsNode) checkIterations(integerOf(iterationsNode), MAX_PBE_ITERATIONS, 'the integrity MAC');
}
