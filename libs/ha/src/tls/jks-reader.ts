import { createHash, timingSafeEqual } from 'node:crypto';
import { TAG, childrenOf, expectNode, octetsOf, oidOf } from './der.js';
import { KeyStoreError } from './key-store.error.js';

export const JKS_MAGIC = 0xfeedfeed;
export const JCEKS_MAGIC = 0xcececece;
/** Sun's proprietary key protection (SHA-1 keystream XOR), the only one keytool writes in JKS files. */
const SUN_KEY_PROTECTOR = '1.3.6.1.4.1.42.2.17.1.1';
const PRIVATE_KEY_ENTRY = 1;
const TRUSTED_CERT_ENTRY = 2;

export interface JksContents {
  /** DER certificates of trusted-certificate entries. */
  readonly trustedCertificates: Buffer[];
  /** Private-key entries: PKCS#8 DER key and its DER certificate chain, leaf first. */
  readonly keys: { alias: string; pkcs8: Buffer; chain: Buffer[] }[];
}

/**
 * Reads a Java KeyStore (JKS v1/v2) and checks its integrity digest with the password first, so a wrong
 * password is reported as such rather than as a corrupt key. One password is used for the store and its
 * keys, as A4C did.
 */
export function readJks(bytes: Buffer, password: string): JksContents {
  if (bytes.length < 12 + 20 || bytes.readUInt32BE(0) !== JKS_MAGIC) throw new KeyStoreError('not a JKS key store');
  verifyDigest(bytes, password);
  const reader = new Reader(bytes.subarray(0, bytes.length - 20));
  reader.u32();
  const version = reader.u32();
  if (version !== 1 && version !== 2) throw new KeyStoreError(`unsupported JKS version ${version}`);
  const result: JksContents = { trustedCertificates: [], keys: [] };
  for (let count = reader.u32(); count > 0; count--) {
    const tag = reader.u32();
    const alias = reader.utf();
    reader.skip(8); // creation date
    if (tag === PRIVATE_KEY_ENTRY) {
      const protectedKey = reader.bytes(reader.u32());
      const chain: Buffer[] = [];
      for (let n = reader.u32(); n > 0; n--) chain.push(readCertificate(reader, version));
      result.keys.push({ alias, pkcs8: recoverKey(protectedKey, password, alias), chain });
    } else if (tag === TRUSTED_CERT_ENTRY) {
      result.trustedCertificates.push(readCertificate(reader, version));
    } else {
      throw new KeyStoreError(`unsupported JKS entry type ${tag} (secret keys need JCEKS or PKCS#12)`);
    }
  }
  return result;
}

/** SHA-1 over password (UTF-16BE) + "Mighty Aphrodite" + everything before the digest. */
function verifyDigest(bytes: Buffer, password: string): void {
  const body = bytes.subarray(0, bytes.length - 20);
  const actual = createHash('sha1').update(utf16be(password)).update('Mighty Aphrodite', 'utf8').update(body).digest();
  if (!timingSafeEqual(actual, bytes.subarray(bytes.length - 20))) {
    throw new KeyStoreError('wrong password or corrupt file (integrity check failed)');
  }
}

function readCertificate(reader: Reader, version: number): Buffer {
  if (version === 2) {
    const type = reader.utf();
    if (type !== 'X.509') throw new KeyStoreError(`unsupported certificate type ${type}`);
  }
  return Buffer.from(reader.bytes(reader.u32()));
}

/** Undoes Sun's KeyProtector: keystream = SHA1(pwd || previous), starting from the 20-byte salt. */
function recoverKey(encryptedPrivateKeyInfo: Buffer, password: string, alias: string): Buffer {
  const [algorithm, data] = childrenOf(expectNode(encryptedPrivateKeyInfo, TAG.SEQUENCE));
  const oid = oidOf(childrenOf(algorithm)[0]);
  if (oid !== SUN_KEY_PROTECTOR) throw new KeyStoreError(`key "${alias}" uses unsupported protection ${oid}`);
  const protectedBytes = octetsOf(data);
  if (protectedBytes.length < 40) throw new KeyStoreError(`key "${alias}" is truncated`);
  const pwd = utf16be(password);
  const salt = protectedBytes.subarray(0, 20);
  const encrypted = protectedBytes.subarray(20, protectedBytes.length - 20);
  const check = protectedBytes.subarray(protectedBytes.length - 20);
  const plain = Buffer.alloc(encrypted.length);
  let digest: Buffer = salt;
  for (let offset = 0; offset < encrypted.length; offset += 20) {
    digest = createHash('sha1').update(pwd).update(digest).digest();
    for (let i = 0; i < 20 && offset + i < encrypted.length; i++) plain[offset + i] = encrypted[offset + i] ^ digest[i];
  }
  const expected = createHash('sha1').update(pwd).update(plain).digest();
  if (!timingSafeEqual(expected, check)) {
    throw new KeyStoreError(`wrong password for key "${alias}" (JKS key passwords must equal the store password)`);
  }
  return plain;
}

function utf16be(text: string): Buffer {
  const bytes = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) bytes.writeUInt16BE(text.charCodeAt(i), i * 2);
  return bytes;
}

/** Big-endian cursor over the JKS body; every read is bounds-checked. */
class Reader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}

  u32(): number {
    return this.bytes(4).readUInt32BE(0);
  }

  /** Java's writeUTF: u16 length + modified UTF-8 (plain UTF-8 for the aliases keytool accepts). */
  utf(): string {
    return this.bytes(this.bytes(2).readUInt16BE(0)).toString('utf8');
  }

  skip(n: number): void {
    this.bytes(n);
  }

  bytes(n: number): Buffer {
    if (this.offset + n > this.data.length) throw new KeyStoreError('truncated JKS key store');
    const slice = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return slice;
  }
}
