// createTlsMaterial: real files that openssl, keytool and Node accept, and nothing left behind.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { createTlsMaterial } from './tls-material.js';

const run = promisify(execFile);

describe('createTlsMaterial', () => {
  it('makes a CA, a 127.0.0.1/localhost server cert, a client cert, PEM/PKCS#12/JKS stores, and cleanup() removes them', async () => {
    const tls = await createTlsMaterial({ password: 'secret1' });
    try {
      const server = await run('openssl', ['x509', '-in', tls.server.cert, '-noout', '-ext', 'subjectAltName']);
      expect(server.stdout).toMatch(/IP Address:127\.0\.0\.1/);
      expect(server.stdout).toMatch(/DNS:localhost/);
      await run('openssl', ['verify', '-CAfile', tls.ca.cert, tls.server.cert, tls.client.cert]);
      for (const [store, type] of [[tls.client.jks, 'JKS'], [tls.truststore.jks, 'JKS'], [tls.server.p12, 'PKCS12'], [tls.truststore.p12, 'PKCS12']]) {
        const listing = await run('keytool', ['-list', '-keystore', store!, '-storetype', type!, '-storepass', 'secret1']);
        expect(listing.stdout).toMatch(/Your keystore contains 1 entry/);
      }
      // Node accepts the PKCS#12 and PEM stores for a real mTLS exchange.
      const srv = https.createServer({ pfx: readFileSync(tls.server.p12), passphrase: 'secret1', ca: readFileSync(tls.truststore.pem), requestCert: true, rejectUnauthorized: true }, (_req, res) => res.end('hi'));
      await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
      try {
        const body = await new Promise<string>((resolve, reject) => {
          const pem = readFileSync(tls.client.pem);
          https.get({ host: '127.0.0.1', port: (srv.address() as AddressInfo).port, ca: readFileSync(tls.truststore.pem), cert: pem, key: pem, agent: false }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve(text));
          }).on('error', reject);
        });
        expect(body).toBe('hi');
      } finally {
        srv.close();
      }
    } finally {
      await tls.cleanup();
    }
    expect(existsSync(tls.dir)).toBe(false);
  }, 60_000); // openssl and three keytool JVM starts: seconds on a loaded 2-core machine
});
