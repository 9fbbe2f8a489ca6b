import { createHmac, timingSafeEqual } from 'node:crypto';
import { TAG, childrenOf, expectNode, integerOf, octetsOf, oidOf, readNode, type DerNode } from './der.js';
import { KeyStoreError } from './key-store.error.js';
import { bmpPassword, decryptPbe, hashByOid, pkcs12Kdf } from './pkcs12-pbe.js';

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
 * Verifies a PKCS#12 file's MAC with the password (so a wrong password fails clearly) and lists its
 * certificates and keys. Node can load a PKCS#12 key store itself but not a certificate-only trust store,
 * which is why certificates are extracted here.
 */
export function readPkcs12(bytes: Buffer, password: string): Pkcs12Contents {
  const [, authSafe, macData] = childrenOf(expectNode(bytes, TAG.SEQUENCE));
  const [contentType, wrapped] = childrenOf(authSafe);
  if (oidOf(contentType) !== DATA) throw new KeyStoreError('unsupported PKCS#12 (public-key integrity mode)');
  const authSafeBytes = octetsOf(readNode(wrapped.content));
  if (macData) verifyMac(macData, authSafeBytes, password);
  const certificates: Buffer[] = [];
  let keyCount = 0;
  for (const contentInfo of childrenOf(expectNode(authSafeBytes, TAG.SEQUENCE))) {
    for (const bag of childrenOf(expectNode(safeContentsOf(contentInfo, password), TAG.SEQUENCE))) {
      const [bagId, bagValue] = childrenOf(bag);
      const id = oidOf(bagId);
      if (id === KEY_BAG || id === SHROUDED_KEY_BAG) keyCount++;
      if (id === CERT_BAG) {
        const [certType, certValue] = childrenOf(readNode(bagValue.content));
        if (oidOf(certType) === X509_CERT) certificates.push(Buffer.from(octetsOf(readNode(certValue.content))));
      }
    }
  }
  return { certificates, keyCount };
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

function verifyMac(macData: DerNode, authSafeBytes: Buffer, password: string): void {
  const [digestInfo, salt, iterationsNode] = childrenOf(macData);
  const [algorithm, expected] = childrenOf(digestInfo);
  const hash = hashByOid(oidOf(childrenOf(algorithm)[0]));
  const iterations = iterationsNode ? integerOf(iterationsNode) : 1;
  const digest = octetsOf(expected);
  const key = pkcs12Kdf(hash, bmpPassword(password), octetsOf(salt), 3, iterations, digest.length);
  const actual = createHmac(hash.name, key).update(authSafeBytes).digest();
  if (actual.length !== digest.length || !timingSafeEqual(actual, digest)) {
    throw new KeyStoreError('wrong password or corrupt file (integrity check failed)');
  }
}
