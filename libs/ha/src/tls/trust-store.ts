import { X509Certificate } from 'node:crypto';
import { toPem } from './der.js';
import { readJks } from './jks-reader.js';
import { KeyStoreError, readingStore } from './key-store.error.js';
import { isCertificate, pemBlocks } from './pem-blocks.js';
import { openPkcs12 } from './pkcs12-reader.js';
import { detectStoreFormat } from './store-file.js';

/** The CA certificates (PEM) of a trust store in any supported format. Throws KeyStoreError. */
export function trustedCertificates(bytes: Buffer, password: string | undefined): string[] {
  const certificates = readingStore(() => extract(bytes, password));
  if (certificates.length === 0) throw new KeyStoreError('no certificate in trust store');
  return certificates;
}

function extract(bytes: Buffer, password: string | undefined): string[] {
  switch (detectStoreFormat(bytes)) {
    case 'pem':
      return pemBlocks(bytes.toString('utf8'))
        .filter(isCertificate)
        .map((block) => new X509Certificate(block.text).toString());
    case 'der-certificate':
      return [new X509Certificate(bytes).toString()];
    case 'pkcs12':
      return openPkcs12(bytes, password ?? '').certificates.map((der) => toPem(der, 'CERTIFICATE'));
    case 'jks':
      return readJks(bytes, requirePassword(password)).trustedCertificates.map((der) => toPem(der, 'CERTIFICATE'));
  }
}

/** JKS cannot be checked without its password, and an unchecked store could have been tampered with. */
export function requirePassword(password: string | undefined): string {
  if (password === undefined) throw new KeyStoreError('a JKS store needs its password to be verified, and none is set');
  return password;
}
