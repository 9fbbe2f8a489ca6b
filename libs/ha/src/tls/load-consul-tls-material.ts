import { createSecureContext } from 'node:tls';
import { HaConfigError } from '../config/ha-config.error.js';
import type { HaConfig } from '../config/ha-config.js';
import { validityProblems } from './certificate-validity.js';
import type { ClientIdentity, ConsulTlsMaterial } from './consul-tls-material.js';
import { clientIdentity } from './key-store.js';
import { KeyStoreError } from './key-store.error.js';
import { readStoreFile } from './store-file.js';
import { trustedCertificates } from './trust-store.js';

export type TlsStoreConfig = Pick<HaConfig, 'keyStorePath' | 'trustStorePath' | 'keyStoresPwd' | 'keyStorePwd' | 'trustStorePwd'>;

/**
 * Loads and checks, at startup, the TLS material for talking to Consul (call it when consul_tls_enabled).
 * The trust store is required; the key store is optional (needed when Consul verifies clients).
 * Fails closed: any problem with either store throws one HaConfigError listing them all, naming the key
 * and the file; partial material is never returned, and no message contains a password.
 */
export function loadConsulTlsMaterial(config: TlsStoreConfig, options: { now?: Date; path?: string } = {}): ConsulTlsMaterial {
  const { now = new Date(), path = 'ha' } = options;
  const problems: string[] = [];
  const fail = (key: string, file: string | undefined, reason: string) => problems.push(`${path}.${key}: cannot use ${JSON.stringify(file)}: ${reason}`);

  let ca: string[] = [];
  if (config.trustStorePath === undefined) {
    problems.push(`${path}.trustStorePath: expected the trust store holding the CA of Consul's certificate, got nothing`);
  } else {
    const file = config.trustStorePath;
    attempt((reason) => fail('trustStorePath', file, reason), () => {
      ca = trustedCertificates(readStoreFile(file), config.trustStorePwd ?? config.keyStoresPwd);
      validityProblems(ca, now).forEach((reason) => fail('trustStorePath', file, reason));
    });
  }

  let identity: ClientIdentity | undefined;
  if (config.keyStorePath !== undefined) {
    const file = config.keyStorePath;
    attempt((reason) => fail('keyStorePath', file, reason), () => {
      const loaded = clientIdentity(readStoreFile(file), config.keyStorePwd ?? config.keyStoresPwd);
      identity = loaded.identity;
      validityProblems(loaded.certificates, now).forEach((reason) => fail('keyStorePath', file, reason));
    });
  }
  if (problems.length > 0) throw new HaConfigError(problems);

  const material: ConsulTlsMaterial = { ca, ...identity };
  // The same check Node makes at the first handshake, made now: key/certificate mismatch, a PKCS#12 the
  // TLS library refuses. Blamed on the key store, the only store that can cause it once ca loaded.
  attempt((reason) => fail(identity ? 'keyStorePath' : 'trustStorePath', identity ? config.keyStorePath : config.trustStorePath, reason), () => {
    createSecureContext(material);
  });
  if (problems.length > 0) throw new HaConfigError(problems);
  return material;
}

/** Runs a loading step, turning its failure into a reason; unexpected errors are parse failures. */
function attempt(onFailure: (reason: string) => void, step: () => void): void {
  try {
    step();
  } catch (error) {
    onFailure(reasonOf(error));
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof KeyStoreError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  if (/key values mismatch/i.test(message)) return 'the private key does not match the certificate';
  if (/mac verify failure/i.test(message)) return 'wrong password';
  // DerError and Node's own parse errors: the file is not what its format claims.
  return `corrupt or unsupported file (${message})`;
}
