import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { JCEKS_MAGIC, JKS_MAGIC } from './jks-reader.js';
import { KeyStoreError } from './key-store.error.js';
import { looksLikePkcs12 } from './pkcs12-reader.js';

/** Far above any real store (a full public CA bundle is about 250 KiB); bounds what the readers parse. */
const MAX_STORE_BYTES = 4 * 1024 * 1024;

export type StoreFormat = 'pkcs12' | 'pem' | 'jks' | 'der-certificate';

/** Reads a store file, turning file-system errors into reasons an operator can act on. */
export function readStoreFile(file: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeyStoreError('file not found');
    if (code === 'EISDIR') throw new KeyStoreError('unreadable: it is a directory');
    if (code === 'EACCES' || code === 'EPERM') throw new KeyStoreError('unreadable: permission denied');
    throw new KeyStoreError(`unreadable: ${code ?? String(error)}`);
  }
  if (bytes.length === 0) throw new KeyStoreError('the file is empty');
  if (bytes.length > MAX_STORE_BYTES) throw new KeyStoreError(`the file is larger than ${MAX_STORE_BYTES / 1024 / 1024} MiB: not a key or trust store`);
  return bytes;
}

/**
 * The store's format, from its content rather than its extension: A4C users have JKS files named .p12
 * and PEM files named .jks, and a wrong guess would report a wrong password instead of the real problem.
 */
export function detectStoreFormat(bytes: Buffer): StoreFormat {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC) return 'jks';
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === JCEKS_MAGIC) {
    throw new KeyStoreError('JCEKS key stores are not supported; convert it with keytool -importkeystore -deststoretype PKCS12');
  }
  if (bytes.includes('-----BEGIN ')) return 'pem';
  if (looksLikePkcs12(bytes)) return 'pkcs12';
  if (isDerCertificate(bytes)) return 'der-certificate';
  throw new KeyStoreError('unknown format (expected PKCS#12, PEM or JKS)');
}

function isDerCertificate(bytes: Buffer): boolean {
  if (bytes[0] !== 0x30) return false;
  try {
    new X509Certificate(bytes);
    return true;
  } catch {
    return false;
  }
}
