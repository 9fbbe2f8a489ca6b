import { createDecipheriv, createHash, pbkdf2Sync } from 'node:crypto';
import { childrenOf, integerOf, octetsOf, oidOf, type DerNode } from './der.js';
import { KeyStoreError } from './key-store.error.js';

// Maps keyed by the OIDs a file names: a lookup never reaches Object's prototype.
const HASHES = new Map<string, { name: string; block: number }>([
  ['1.3.14.3.2.26', { name: 'sha1', block: 64 }],
  ['2.16.840.1.101.3.4.2.1', { name: 'sha256', block: 64 }],
  ['2.16.840.1.101.3.4.2.2', { name: 'sha384', block: 128 }],
  ['2.16.840.1.101.3.4.2.3', { name: 'sha512', block: 128 }],
]);
const HMAC_PRFS = new Map<string, string>([
  ['1.2.840.113549.2.7', 'sha1'],
  ['1.2.840.113549.2.9', 'sha256'],
  ['1.2.840.113549.2.10', 'sha384'],
  ['1.2.840.113549.2.11', 'sha512'],
]);
const PBES2_CIPHERS = new Map<string, { name: string; keyLength: number }>([
  ['2.16.840.1.101.3.4.1.2', { name: 'aes-128-cbc', keyLength: 16 }],
  ['2.16.840.1.101.3.4.1.22', { name: 'aes-192-cbc', keyLength: 24 }],
  ['2.16.840.1.101.3.4.1.42', { name: 'aes-256-cbc', keyLength: 32 }],
  ['1.2.840.113549.3.7', { name: 'des-ede3-cbc', keyLength: 24 }],
]);
const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const PBE_SHA1_3DES = '1.2.840.113549.1.12.1.3';
const PBE_SHA1_RC2_40 = '1.2.840.113549.1.12.1.6';

/**
 * The most key-derivation iterations a store may ask for. OpenSSL writes 2048, keytool 10 000, and
 * the strictest current advice is 600 000 for PBKDF2; a crafted store asking for 2^31 would otherwise
 * hold startup for many minutes (OpenSSL runs about 2 million iterations a second here).
 */
export const MAX_PBE_ITERATIONS = 1_000_000;
/**
 * The legacy PKCS#12 KDF (RFC 7292 B.2, old 3DES cert bags) runs in JavaScript at about 500 000
 * hashes a second: its cap is lower. keytool's legacy default (JDK 8) was 50 000.
 */
const MAX_LEGACY_KDF_ITERATIONS = 100_000;

/** Refuses an iteration count past `max` before any work is done with it. */
export function checkIterations(iterations: number, max: number, what: string): number {
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new KeyStoreError(`invalid ${what} iteration count`);
  if (iterations > max) throw new KeyStoreError(`${what} asks for ${iterations} iterations, more than the ${max} allowed (re-export the store with fewer)`);
  return iterations;
}

export function hashByOid(oid: string): { name: string; block: number } {
  const hash = HASHES.get(oid);
  if (!hash) throw new KeyStoreError(`unsupported PKCS#12 MAC digest ${oid}`);
  return hash;
}

/** The password as PKCS#12's own KDF takes it: UTF-16BE with a terminating NUL (RFC 7292 B.1). */
function bmpPassword(password: string): Buffer {
  const bytes = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) bytes.writeUInt16BE(password.charCodeAt(i), i * 2);
  return bytes;
}

/** RFC 7292 appendix B.2: id 1 = key, 2 = IV, 3 = MAC key. */
function pkcs12Kdf(hash: { name: string; block: number }, password: Buffer, salt: Buffer, id: number, iterations: number, length: number): Buffer {
  const v = hash.block;
  const fill = (data: Buffer) => (data.length === 0 ? Buffer.alloc(0) : Buffer.alloc(v * Math.ceil(data.length / v), data));
  const input = Buffer.concat([fill(salt), fill(password)]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < length; ) {
    let a = createHash(hash.name).update(Buffer.alloc(v, id)).update(input).digest();
    for (let i = 1; i < iterations; i++) a = createHash(hash.name).update(a).digest();
    out.push(a);
    produced += a.length;
    const b = Buffer.alloc(v, a);
    for (let j = 0; j < input.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        carry += input[j + k] + b[k];
        input[j + k] = carry & 0xff;
        carry >>= 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, length);
}

/**
 * Checks the iteration count of a PBE algorithm identifier without deriving anything: for the shrouded
 * key bags that OpenSSL, not this reader, decrypts afterwards.
 */
export function checkPbeIterations(algorithm: DerNode): void {
  const [oidNode, params] = childrenOf(algorithm);
  const oid = oidOf(oidNode);
  if (oid === PBES2) {
    const [kdf] = childrenOf(params);
    const [, kdfParams] = childrenOf(kdf);
    checkIterations(integerOf(childrenOf(kdfParams)[1]), MAX_PBE_ITERATIONS, 'a PBKDF2 key derivation');
  } else if (params) {
    checkIterations(integerOf(childrenOf(params)[1]), MAX_PBE_ITERATIONS, 'a PKCS#12 key derivation');
  }
}

/** Decrypts a PKCS#12 encrypted content (cert bags) with the algorithms OpenSSL 3 and keytool write. */
export function decryptPbe(algorithm: DerNode, data: Buffer, password: string): Buffer {
  const [oidNode, params] = childrenOf(algorithm);
  const oid = oidOf(oidNode);
  if (oid === PBES2) return decryptPbes2(params, data, password);
  if (oid === PBE_SHA1_3DES) {
    const [salt, iterationsNode] = childrenOf(params);
    const iterations = checkIterations(integerOf(iterationsNode), MAX_LEGACY_KDF_ITERATIONS, 'the legacy PKCS#12 key derivation');
    const sha1 = hashByOid('1.3.14.3.2.26');
    const bmp = bmpPassword(password);
    const key = pkcs12Kdf(sha1, bmp, octetsOf(salt), 1, iterations, 24);
    const iv = pkcs12Kdf(sha1, bmp, octetsOf(salt), 2, iterations, 8);
    return decipher('des-ede3-cbc', key, iv, data);
  }
  if (oid === PBE_SHA1_RC2_40) {
    throw new KeyStoreError('it uses the legacy RC2-40 encryption; re-export it with AES (openssl pkcs12 -export -certpbe AES-256-CBC -keypbe AES-256-CBC)');
  }
  throw new KeyStoreError(`unsupported PKCS#12 encryption ${oid}`);
}

function decryptPbes2(params: DerNode, data: Buffer, password: string): Buffer {
  const [kdf, scheme] = childrenOf(params);
  const [kdfOid, kdfParams] = childrenOf(kdf);
  if (oidOf(kdfOid) !== PBKDF2) throw new KeyStoreError(`unsupported PBES2 key derivation ${oidOf(kdfOid)}`);
  const [salt, iterationsNode, ...rest] = childrenOf(kdfParams);
  const iterations = checkIterations(integerOf(iterationsNode), MAX_PBE_ITERATIONS, 'a PBKDF2 key derivation');
  const prfNode = rest.find((n) => n.tag === 0x30);
  const prfOid = prfNode ? oidOf(childrenOf(prfNode)[0]) : '1.2.840.113549.2.7';
  const prf = HMAC_PRFS.get(prfOid);
  const [cipherOid, iv] = childrenOf(scheme);
  const cipher = PBES2_CIPHERS.get(oidOf(cipherOid));
  if (!prf || !cipher) throw new KeyStoreError('unsupported PBES2 parameters');
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), octetsOf(salt), iterations, cipher.keyLength, prf);
  return decipher(cipher.name, key, octetsOf(iv), data);
}

function decipher(name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const d = createDecipheriv(name, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new KeyStoreError('wrong password or corrupt file (decryption failed)');
  }
}
