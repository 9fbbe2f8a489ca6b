import { readFileSync } from 'node:fs';
import type { HaConfig } from '../config/ha-config.js';
import { trustedCertificates } from '../tls/trust-store.js';

type TlsInput = Pick<HaConfig, 'serverProtocol' | 'trustStorePath' | 'trustStorePwd' | 'keyStoresPwd'>;

/**
 * Trust for forwarding to instances that serve HTTPS (serverProtocol https): the operator's CA from
 * ha.trustStorePath (PKCS#12, PEM or JKS, as for Consul). Without it, forwarding to an https leader is
 * refused with a 503 that says why: never an unverified connection. Null for plain http.
 */
export function forwardingTls(config: TlsInput): { ca: string[] } | { refused: string } | null {
  if (config.serverProtocol !== 'https') return null;
  if (!config.trustStorePath) return { refused: 'forwarding to an https leader needs ha.trustStorePath (the CA of the instances\' certificates)' };
  try {
    return { ca: trustedCertificates(readFileSync(config.trustStorePath), config.trustStorePwd ?? config.keyStoresPwd) };
  } catch (error) {
    return { refused: `forwarding to an https leader is off: ha.trustStorePath unreadable (${(error as Error).message})` };
  }
}
