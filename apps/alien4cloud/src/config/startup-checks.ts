import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { HaConfigError, loadConsulTlsMaterial } from '@a4c/ha';
import type { AppConfig } from './app-config.js';
import { problemOfLine, type ConfigProblem } from './config-problem.js';

/**
 * What loadConfig() cannot judge from values alone and would otherwise fail inside Nest's module init
 * (as a stack dump and exit 1): the Consul key and trust stores (read, password, MAC, validity dates,
 * key/certificate match) and the server's own TLS key and certificate. Run before the Nest app exists,
 * and by --check-config. One problem per line, never a password.
 */
export function startupProblems(config: AppConfig): ConfigProblem[] {
  return [...consulStoreProblems(config), ...serverTlsProblems(config)];
}

function consulStoreProblems({ ha }: AppConfig): ConfigProblem[] {
  // The plugin reads the stores only when it talks to Consul over TLS; otherwise they are not used.
  if (!ha.ha_enabled || !ha.consul_tls_enabled) return [];
  try {
    loadConsulTlsMaterial(ha, { path: 'ha' });
    return [];
  } catch (error) {
    if (!(error instanceof HaConfigError)) throw error;
    return error.problems.map((line) => problemOfLine(line));
  }
}

function serverTlsProblems({ server: { ssl } }: AppConfig): ConfigProblem[] {
  if (!ssl.enabled || !ssl.keyFile || !ssl.certFile) return [];
  try {
    createSecureContext({ key: readFileSync(ssl.keyFile), cert: readFileSync(ssl.certFile) });
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/key values mismatch/i.test(message)) {
      return [{ path: 'server.ssl.keyFile', message: `cannot use ${JSON.stringify(ssl.keyFile)}: the private key does not match server.ssl.certFile` }];
    }
    const blamed = /cert|x509|PEM_read_bio$/i.test(message) && !/key/i.test(message) ? 'certFile' : 'keyFile';
    return [{ path: `server.ssl.${blamed}`, message: `cannot use ${JSON.stringify(ssl[blamed])}: unreadable key or certificate (${message})` }];
  }
}
