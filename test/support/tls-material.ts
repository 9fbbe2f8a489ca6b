// Throw-away TLS material for tests, made with the real tools (openssl, and keytool for JKS): a CA, a
// server certificate for 127.0.0.1/localhost, a client certificate, and key stores / trust stores in
// PEM, PKCS#12 (.p12) and JKS (.jks), all protected by one password. Everything lives in one temp dir
// that cleanup() removes.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KeyPairFiles {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (PKCS#8, unencrypted). */
  key: string;
  /** PEM key store: key, certificate and CA certificate in one file. */
  pem: string;
  /** PKCS#12 key store (alias `server`/`client`, password `password`), chain includes the CA. */
  p12: string;
  /** JKS key store (same alias and password); undefined when JKS was not requested. */
  jks?: string;
}

export interface TlsMaterial {
  dir: string;
  /** Password of every .p12/.jks file (store and key). */
  password: string;
  ca: { cert: string; key: string };
  server: KeyPairFiles;
  client: KeyPairFiles;
  /** Trust stores holding only the CA certificate (alias `ca`). */
  truststore: { pem: string; p12: string; jks?: string };
  cleanup(): Promise<void>;
}

export interface TlsMaterialOptions {
  password?: string;
  /** Also make .jks files with keytool (default true). */
  jks?: boolean;
  /** Validity in days (default 2: the material is for one test run). */
  days?: number;
  /** Parent directory of the temp dir (default os.tmpdir()). */
  parentDir?: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`, { cause: error });
  }
}

async function keytool(dir: string, args: string[]): Promise<void> {
  try {
    await run('keytool', args, { cwd: dir });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string; code?: string };
    if (e.code === 'ENOENT') throw new Error('keytool not found: install a JDK or pass { jks: false }', { cause: error });
    throw new Error(`keytool ${args[0]} failed: ${e.stderr || e.stdout || e.message}`, { cause: error });
  }
}

/** EC P-256 keys: as good as RSA for tests and an order of magnitude faster to generate. */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issue(dir: string, name: 'server' | 'client', days: number, extensions: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, ['req', '-new', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=consul-dev-test-${name}`]);
  await openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', String(days), '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`,
  ]);
}

async function keyStores(dir: string, name: 'server' | 'client', password: string, jks: boolean): Promise<KeyPairFiles> {
  const file = (f: string) => join(dir, f);
  const bundle = [await readFile(file(`${name}.key`), 'utf8'), await readFile(file(`${name}.pem`), 'utf8'), await readFile(file('ca.pem'), 'utf8')];
  await writeFile(file(`${name}-keystore.pem`), bundle.join(''));
  await openssl(dir, [
    'pkcs12', '-export', '-in', `${name}.pem`, '-inkey', `${name}.key`, '-certfile', 'ca.pem', '-name', name,
    '-out', `${name}.p12`, '-passout', `pass:${password}`,
  ]);
  if (jks) {
    await keytool(dir, [
      '-importkeystore', '-noprompt', '-srckeystore', `${name}.p12`, '-srcstoretype', 'PKCS12', '-srcstorepass', password,
      '-destkeystore', `${name}.jks`, '-deststoretype', 'JKS', '-deststorepass', password, '-destkeypass', password,
    ]);
  }
  return {
    cert: file(`${name}.pem`),
    key: file(`${name}.key`),
    pem: file(`${name}-keystore.pem`),
    p12: file(`${name}.p12`),
    jks: jks ? file(`${name}.jks`) : undefined,
  };
}

export async function createTlsMaterial(options: TlsMaterialOptions = {}): Promise<TlsMaterial> {
  const password = options.password ?? 'changeit';
  const days = options.days ?? 2;
  const jks = options.jks ?? true;
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'tls-material-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await openssl(dir, [
      'req', '-x509', ...NEW_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', String(days), '-subj', '/CN=consul-dev-test-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await issue(dir, 'server', days,
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
    await issue(dir, 'client', days, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
    const [server, client] = [await keyStores(dir, 'server', password, jks), await keyStores(dir, 'client', password, jks)];
    const truststore = { pem: join(dir, 'ca.pem'), p12: join(dir, 'truststore.p12'), jks: jks ? join(dir, 'truststore.jks') : undefined };
    if (jks) {
      // keytool writes the PKCS#12 trust store with a trusted-certificate entry, which Java needs.
      await keytool(dir, ['-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', '-keystore', 'truststore.p12', '-storetype', 'PKCS12', '-storepass', password]);
    } else {
      await openssl(dir, ['pkcs12', '-export', '-nokeys', '-in', 'ca.pem', '-name', 'ca', '-out', 'truststore.p12', '-passout', `pass:${password}`]);
    }
    if (jks) await keytool(dir, ['-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', '-keystore', 'truststore.jks', '-storetype', 'JKS', '-storepass', password]);
    return { dir, password, ca: { cert: join(dir, 'ca.pem'), key: join(dir, 'ca.key') }, server, client, truststore, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
