import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ClientIdentity } from './consul-tls-material.js';
import { toPem } from './der.js';
import { readJks } from './jks-reader.js';
import { KeyStoreError, readingStore } from './key-store.error.js';
import { isCertificate, isPrivateKey, pemBlocks } from './pem-blocks.js';
import { openPkcs12 } from './pkcs12-reader.js';
import { detectStoreFormat } from './store-file.js';
import { requirePassword } from './trust-store.js';

/** Our identity from a key store, plus every certificate in it for validity checks. Throws KeyStoreError. */
export function clientIdentity(bytes: Buffer, password: string | undefined): { identity: ClientIdentity; certificates: string[] } {
  return readingStore(() => readIdentity(bytes, password));
}

function readIdentity(bytes: Buffer, password: string | undefined): { identity: ClientIdentity; certificates: string[] } {
  switch (detectStoreFormat(bytes)) {
    case 'pem':
      return fromPem(bytes.toString('utf8'), password);
    case 'pkcs12': {
      // Node's OpenSSL verifies the store and its password; the reader lists what it holds.
      const passphrase = password ?? '';
      const { certificates, keyCount } = openPkcs12(bytes, passphrase);
      requireOne(keyCount, certificates.length);
      return { identity: { pfx: bytes, passphrase }, certificates: certificates.map((der) => toPem(der, 'CERTIFICATE')) };
    }
    case 'jks': {
      const { keys } = readJks(bytes, requirePassword(password));
      requireOne(keys.length, keys[0]?.chain.length ?? 0);
      const chain = keys[0].chain.map((der) => toPem(der, 'CERTIFICATE'));
      const key = createPrivateKey({ key: keys[0].pkcs8, format: 'der', type: 'pkcs8' });
      return { identity: { cert: chain.join(''), key: pkcs8Pem(key) }, certificates: chain };
    }
    case 'der-certificate':
      throw new KeyStoreError('no private key in key store (it is a single DER certificate)');
  }
}

function fromPem(text: string, password: string | undefined) {
  const blocks = pemBlocks(text);
  const certificates = blocks.filter(isCertificate).map((b) => new X509Certificate(b.text).toString());
  const keys = blocks.filter(isPrivateKey);
  requireOne(keys.length, certificates.length);
  // The leaf first, as TLS sends it; the rest of the file is its chain.
  return { identity: { cert: certificates.join(''), key: pkcs8Pem(decryptPemKey(keys[0].text, password)) }, certificates };
}

function decryptPemKey(pem: string, password: string | undefined): KeyObject {
  const encrypted = pem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----') || pem.includes('Proc-Type: 4,ENCRYPTED');
  if (encrypted && password === undefined) throw new KeyStoreError('the private key is encrypted and no password is set');
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase: password });
  } catch (error) {
    if (encrypted && (error as { code?: string }).code === 'ERR_OSSL_BAD_DECRYPT') throw new KeyStoreError('wrong password for the private key');
    throw new KeyStoreError('unreadable private key');
  }
}

function requireOne(keyCount: number, certificateCount: number): void {
  if (keyCount === 0) throw new KeyStoreError('no private key in key store');
  if (keyCount > 1) throw new KeyStoreError(`${keyCount} private keys in key store; keep only the one for Consul`);
  if (certificateCount === 0) throw new KeyStoreError('no certificate for the private key in key store');
}

function pkcs8Pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
