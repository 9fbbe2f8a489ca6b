import { X509Certificate } from 'node:crypto';

/**
 * Problems with the validity period of each certificate at `now`: an expired client or CA certificate
 * would only fail later, at the first handshake, as an obscure TLS alert in the elector's retry loop.
 */
export function validityProblems(certificates: readonly (string | Buffer)[], now: Date): string[] {
  const problems: string[] = [];
  for (const input of certificates) {
    const certificate = new X509Certificate(input);
    const subject = certificate.subject.split('\n').join(', ');
    const notBefore = new Date(certificate.validFrom);
    const notAfter = new Date(certificate.validTo);
    if (now > notAfter) problems.push(`certificate "${subject}" expired on ${notAfter.toISOString()}`);
    else if (now < notBefore) problems.push(`certificate "${subject}" is not valid before ${notBefore.toISOString()}`);
  }
  return problems;
}
