import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyStoreError } from './key-store.error.js';
import { openPkcs12 } from './pkcs12-reader.js';

// PKCS#12 hardening: Node's OpenSSL verifies the store, and what stays hand-written refuses a store
// without a MAC and any key derivation past the iteration cap before work starts.
const PW = 'store-pw';
let dir: string;
const f = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
const p12 = (name: string, ...extra: string[]) =>
  openssl('pkcs12', '-export', '-in', 'c.pem', '-inkey', 'k.pem', '-out', name, '-passout', `pass:${PW}`, ...extra);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pkcs12-reader-'));
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '1', '-subj', '/CN=pkcs12-test');
  p12('ok.p12');
  p12('nomac.p12', '-nomac');
  p12('slow.p12', '-iter', '2000000');
  openssl('pkcs12', '-export', '-nokeys', '-in', 'c.pem', '-out', 'trust.p12', '-passout', `pass:${PW}`);
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(bytes: Buffer, password = PW): string {
  try {
    openPkcs12(bytes, password);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyStoreError);
    return (error as Error).message;
  }
  throw new Error('the store was accepted');
}

describe('openPkcs12', () => {
  it('opens a key store and a certificate-only trust store, listing their certificates', () => {
    expect(openPkcs12(readFileSync(f('ok.p12')), PW)).toMatchObject({ keyCount: 1, certificates: [expect.any(Buffer)] });
    expect(openPkcs12(readFileSync(f('trust.p12')), PW)).toMatchObject({ keyCount: 0, certificates: [expect.any(Buffer)] });
  });

  it('refuses a wrong password through OpenSSL\'s MAC check', () => {
    expect(refusal(readFileSync(f('ok.p12')), 'wrong')).toBe('wrong password or corrupt file (integrity check failed)');
    expect(refusal(readFileSync(f('trust.p12')), 'wrong')).toBe('wrong password or corrupt file (integrity check failed)');
  });

  it('refuses a store without a MAC', () => {
    expect(refusal(readFileSync(f('nomac.p12')))).toMatch(/^the PKCS#12 store has no integrity MAC/);
  });

  it('refuses 2 000 000 iterations before deriving anything (well under 100 ms)', () => {
    const started = performance.now();
    expect(refusal(readFileSync(f('slow.p12')))).toMatch(/asks for 2000000 iterations, more than the 1000000 allowed/);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses a changed byte of the encrypted content (the MAC no longer matches)', () => {
    const bytes = Buffer.from(readFileSync(f('ok.p12')));
    bytes[bytes.length - 120] ^= 0x01; // inside the last encrypted bag, before the MAC data
    expect(refusal(bytes)).toMatch(/corrupt|integrity check failed|wrong password/);
  });
});
