import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import { HaConfigError } from '../config/ha-config.error.js';
import { loadConsulTlsMaterial, type TlsStoreConfig } from './load-consul-tls-material.js';

const PW = 'Sup3r-Secret-Pw';
let dir: string;
const f = (name: string) => join(dir, name);
const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' });
const openssl = (...args: string[]) => run('openssl', ...args);
const keytool = (...args: string[]) => run('keytool', ...args);
const cat = (out: string, ...inputs: string[]) => writeFileSync(f(out), inputs.map((i) => readFileSync(f(i), 'utf8')).join(''));

/** CA, client and server certificates, then the same material in every store format (never committed). */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ha-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Test CA');
  for (const name of ['client', 'server', 'other']) {
    openssl('req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'server' ? 'localhost' : name}`);
  }
  writeFileSync(f('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const name of ['client', 'server']) {
    const ext = name === 'server' ? ['-extfile', 'san.ext'] : [];
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '30', ...ext);
  }
  // PEM stores: plain, encrypted key, mismatched key, certificate only, key only.
  cat('client-store.pem', 'client.crt', 'client.key');
  openssl('pkey', '-in', 'client.key', '-aes256', '-passout', `pass:${PW}`, '-out', 'client-enc.key');
  cat('client-enc-store.pem', 'client.crt', 'client-enc.key');
  cat('mismatch-store.pem', 'client.crt', 'other.key');
  cat('key-only.pem', 'client.key');
  openssl('x509', '-in', 'ca.pem', '-outform', 'DER', '-out', 'ca.der');
  // PKCS#12: OpenSSL 3 defaults (PBES2/AES, HMAC-SHA256), legacy 3DES/SHA-1, and a certificate-only trust store.
  openssl('pkcs12', '-export', '-in', 'client.crt', '-inkey', 'client.key', '-certfile', 'ca.pem', '-out', 'client.p12', '-passout', `pass:${PW}`);
  openssl('pkcs12', '-export', '-in', 'client.crt', '-inkey', 'client.key', '-out', 'client-3des.p12', '-passout', `pass:${PW}`,
    '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1');
  openssl('pkcs12', '-export', '-nokeys', '-in', 'ca.pem', '-out', 'trust.p12', '-passout', `pass:${PW}`);
  // Java stores as A4C users have them.
  const store = (type: string, file: string) => ['-storetype', type, '-keystore', file, '-storepass', PW];
  keytool('-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', ...store('JKS', 'trust.jks'));
  keytool('-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', ...store('PKCS12', 'trust-java.p12'));
  keytool('-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', ...store('JCEKS', 'trust.jceks'));
  keytool('-importkeystore', '-noprompt', '-srckeystore', 'client.p12', '-srcstoretype', 'PKCS12', '-srcstorepass', PW,
    '-destkeystore', 'client.jks', '-deststoretype', 'JKS', '-deststorepass', PW, '-destkeypass', PW);
  keytool('-importkeystore', '-noprompt', '-srckeystore', 'client.p12', '-srcstoretype', 'PKCS12', '-srcstorepass', PW,
    '-destkeystore', 'client-keypass.jks', '-deststoretype', 'JKS', '-deststorepass', PW, '-destkeypass', 'another-key-pw');
  copyFileSync(f('trust.jks'), f('jks-named.p12'));
  writeFileSync(f('garbage.p12'), 'this is not a key store\n');
  writeFileSync(f('truncated.p12'), readFileSync(f('client.p12')).subarray(0, 200));
  writeFileSync(f('empty.pem'), '');
  writeFileSync(f('tampered.p12'), flipByte(readFileSync(f('trust.p12')), 120));
  writeFileSync(f('tampered.jks'), flipByte(readFileSync(f('trust.jks')), 100));
}, 60_000);

function flipByte(bytes: Buffer, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] ^= 0x01;
  return copy;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The problems of the HaConfigError a load throws (fails the test if it does not throw one). */
function problemsOf(config: TlsStoreConfig, options?: { now?: Date }): string[] {
  try {
    loadConsulTlsMaterial(config, options);
  } catch (error) {
    expect(error).toBeInstanceOf(HaConfigError);
    for (const secret of [PW, config.keyStorePwd, config.trustStorePwd, config.keyStoresPwd]) {
      if (secret) expect((error as Error).message).not.toContain(secret);
    }
    return (error as HaConfigError).problems;
  }
  throw new Error('expected an HaConfigError');
}

describe('loadConsulTlsMaterial: formats that load', () => {
  it.each<[string, TlsStoreConfig]>([
    ['PEM trust store', { trustStorePath: 'ca.pem' }],
    ['DER certificate trust store', { trustStorePath: 'ca.der' }],
    ['PKCS#12 trust store (OpenSSL)', { trustStorePath: 'trust.p12', trustStorePwd: PW }],
    ['PKCS#12 trust store (keytool)', { trustStorePath: 'trust-java.p12', keyStoresPwd: PW }],
    ['JKS trust store', { trustStorePath: 'trust.jks', keyStoresPwd: PW }],
    ['JKS detected by magic despite .p12', { trustStorePath: 'jks-named.p12', keyStoresPwd: PW }],
  ])('%s', (_name, config) => {
    const material = loadConsulTlsMaterial(at(config));
    expect(material.ca).toEqual([readFileSync(f('ca.pem'), 'utf8')]);
    expect(Object.keys(material)).toEqual(['ca']);
  });

  it.each<[string, TlsStoreConfig]>([
    ['PEM key store', { keyStorePath: 'client-store.pem' }],
    ['PEM key store with an encrypted key', { keyStorePath: 'client-enc-store.pem', keyStorePwd: PW }],
    ['JKS key store', { keyStorePath: 'client.jks', keyStoresPwd: PW }],
  ])('%s gives PEM cert + key', (_name, config) => {
    const material = loadConsulTlsMaterial(at({ trustStorePath: 'ca.pem', ...config }));
    expect(material).toMatchObject({ cert: expect.stringMatching(/^-----BEGIN CERTIFICATE-----/), key: expect.stringMatching(/^-----BEGIN PRIVATE KEY-----/) });
    // The leaf comes first (a JKS entry also carries the CA as its chain).
    expect((material as { cert: string }).cert.startsWith(readFileSync(f('client.crt'), 'utf8'))).toBe(true);
  });

  it.each<[string, TlsStoreConfig]>([
    ['PKCS#12 key store', { keyStorePath: 'client.p12', keyStorePwd: PW }],
    ['legacy 3DES PKCS#12 key store', { keyStorePath: 'client-3des.p12', keyStoresPwd: PW }],
  ])('%s gives pfx + passphrase', (_name, config) => {
    const material = loadConsulTlsMaterial(at({ trustStorePath: 'ca.pem', ...config }));
    expect(material).toMatchObject({ pfx: readFileSync(f(config.keyStorePath!)), passphrase: PW });
  });

  it('prefers the per-store passwords over keyStoresPwd', () => {
    const config = at({ trustStorePath: 'trust.jks', trustStorePwd: PW, keyStorePath: 'client.p12', keyStorePwd: PW, keyStoresPwd: 'wrong' });
    expect(loadConsulTlsMaterial(config).ca).toHaveLength(1);
  });

  it.each([
    ['PKCS#12', { keyStorePath: 'client.p12', keyStorePwd: PW }],
    ['JKS', { keyStorePath: 'client.jks', keyStorePwd: PW }],
  ])('the %s material completes a mutual TLS handshake', async (_name, config) => {
    const material = loadConsulTlsMaterial(at({ trustStorePath: 'trust.p12', trustStorePwd: PW, ...config }));
    const server: Server = createServer({
      key: readFileSync(f('server.key')), cert: readFileSync(f('server.crt')), ca: readFileSync(f('ca.pem')), requestCert: true, rejectUnauthorized: true,
    }, (socket) => socket.end(String(socket.getPeerCertificate().subject.CN)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const peer = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...material }, () => undefined);
        let data = '';
        socket.on('data', (chunk) => (data += chunk)).on('end', () => resolve(data)).on('error', reject);
      });
      expect(peer).toBe('client');
    } finally {
      server.close();
    }
  });
});

describe('loadConsulTlsMaterial: failures', () => {
  it.each<[string, TlsStoreConfig, string]>([
    ['no trust store', {}, "ha.trustStorePath: expected the trust store holding the CA of Consul's certificate, got nothing"],
    ['missing file', { trustStorePath: 'nope.pem' }, 'ha.trustStorePath: cannot use "DIR/nope.pem": file not found'],
    ['a directory', { trustStorePath: '.' }, 'ha.trustStorePath: cannot use "DIR": unreadable: it is a directory'],
    ['an empty file', { trustStorePath: 'empty.pem' }, 'ha.trustStorePath: cannot use "DIR/empty.pem": the file is empty'],
    ['unknown format', { trustStorePath: 'garbage.p12' }, 'ha.trustStorePath: cannot use "DIR/garbage.p12": unknown format (expected PKCS#12, PEM or JKS)'],
    ['JCEKS', { trustStorePath: 'trust.jceks', keyStoresPwd: PW }, 'ha.trustStorePath: cannot use "DIR/trust.jceks": JCEKS key stores are not supported; convert it with keytool -importkeystore -deststoretype PKCS12'],
    ['PEM without certificate', { trustStorePath: 'key-only.pem' }, 'ha.trustStorePath: cannot use "DIR/key-only.pem": no certificate in trust store'],
    ['JKS wrong password', { trustStorePath: 'trust.jks', keyStoresPwd: 'not-it' }, 'ha.trustStorePath: cannot use "DIR/trust.jks": wrong password or corrupt file (integrity check failed)'],
    ['JKS without password', { trustStorePath: 'trust.jks' }, 'ha.trustStorePath: cannot use "DIR/trust.jks": a JKS store needs its password to be verified, and none is set'],
    ['PKCS#12 wrong password', { trustStorePath: 'trust.p12', trustStorePwd: 'not-it', keyStoresPwd: PW }, 'ha.trustStorePath: cannot use "DIR/trust.p12": wrong password or corrupt file (integrity check failed)'],
    ['truncated PKCS#12', { trustStorePath: 'truncated.p12', keyStoresPwd: PW }, 'ha.trustStorePath: cannot use "DIR/truncated.p12": unknown format (expected PKCS#12, PEM or JKS)'],
    // the flipped byte breaks a DER length, seen before any key derivation runs
    ['tampered PKCS#12', { trustStorePath: 'tampered.p12', keyStoresPwd: PW }, 'ha.trustStorePath: cannot use "DIR/tampered.p12": corrupt or unsupported file (truncated)'],
    ['tampered JKS', { trustStorePath: 'tampered.jks', keyStoresPwd: PW }, 'ha.trustStorePath: cannot use "DIR/tampered.jks": wrong password or corrupt file (integrity check failed)'],
  ])('trust store: %s', (_name, config, message) => {
    expect(problemsOf(at(config))).toEqual([message.replaceAll('DIR', dir)]);
  });

  it.each<[string, TlsStoreConfig, string]>([
    ['no private key (PEM)', { keyStorePath: 'ca.pem' }, 'no private key in key store'],
    ['no private key (PKCS#12)', { keyStorePath: 'trust.p12', keyStorePwd: PW }, 'no private key in key store'],
    ['no private key (JKS)', { keyStorePath: 'trust.jks', keyStorePwd: PW }, 'no private key in key store'],
    ['no private key (DER)', { keyStorePath: 'ca.der' }, 'no private key in key store (it is a single DER certificate)'],
    ['no certificate for the key', { keyStorePath: 'key-only.pem' }, 'no certificate for the private key in key store'],
    ['key and certificate that do not match', { keyStorePath: 'mismatch-store.pem' }, 'the private key does not match the certificate'],
    ['PKCS#12 wrong password', { keyStorePath: 'client.p12', keyStorePwd: 'not-it' }, 'wrong password or corrupt file (integrity check failed)'],
    ['JKS wrong password', { keyStorePath: 'client.jks', keyStoresPwd: 'not-it' }, 'wrong password or corrupt file (integrity check failed)'],
    ['JKS key password unlike the store password', { keyStorePath: 'client-keypass.jks', keyStoresPwd: PW }, 'wrong password for key "1" (JKS key passwords must equal the store password)'],
    ['encrypted PEM key, wrong password', { keyStorePath: 'client-enc-store.pem', keyStorePwd: 'not-it' }, 'wrong password for the private key'],
    ['encrypted PEM key, no password', { keyStorePath: 'client-enc-store.pem' }, 'the private key is encrypted and no password is set'],
  ])('key store: %s', (_name, config, reason) => {
    expect(problemsOf(at({ trustStorePath: 'ca.pem', ...config }))).toEqual([`ha.keyStorePath: cannot use ${JSON.stringify(f(config.keyStorePath!))}: ${reason}`]);
  });

  it('reports expired certificates in both stores', () => {
    const later = new Date(Date.now() + 40 * 86400_000);
    const problems = problemsOf(at({ trustStorePath: 'ca.pem', keyStorePath: 'client.p12', keyStorePwd: PW }), { now: later });
    expect(problems).toEqual([
      expect.stringMatching(/^ha\.trustStorePath: cannot use ".*ca\.pem": certificate "CN=Test CA" expired on \d{4}-/),
      expect.stringMatching(/^ha\.keyStorePath: cannot use ".*client\.p12": certificate "CN=client" expired on /),
      expect.stringMatching(/^ha\.keyStorePath: cannot use ".*client\.p12": certificate "CN=Test CA" expired on /),
    ]);
  });

  it('reports a certificate not yet valid', () => {
    const earlier = new Date(Date.now() - 86400_000);
    expect(problemsOf(at({ trustStorePath: 'ca.pem' }), { now: earlier })).toEqual([
      expect.stringMatching(/certificate "CN=Test CA" is not valid before /),
    ]);
  });

  it('reports both stores at once and never the password', () => {
    expect(problemsOf(at({ trustStorePath: 'nope.jks', keyStorePath: 'client.jks', keyStoresPwd: `${PW}x` }))).toEqual([
      `ha.trustStorePath: cannot use ${JSON.stringify(f('nope.jks'))}: file not found`,
      `ha.keyStorePath: cannot use ${JSON.stringify(f('client.jks'))}: wrong password or corrupt file (integrity check failed)`,
    ]);
  });
});

/** Store paths in the table are relative to the fixture directory. */
function at(config: TlsStoreConfig): TlsStoreConfig {
  return {
    ...config,
    trustStorePath: config.trustStorePath && f(config.trustStorePath),
    keyStorePath: config.keyStorePath && f(config.keyStorePath),
  };
}
