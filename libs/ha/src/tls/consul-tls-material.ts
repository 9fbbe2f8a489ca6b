/**
 * What the Consul client's HTTPS agent needs, in the shape `tls.connect`/`https.Agent` take it: CA
 * certificates (PEM) to verify Consul, and optionally our client identity for mutual TLS, either as PEM
 * cert + unencrypted key or as a PKCS#12 blob with its passphrase. Spread it into the agent's options.
 */
export type ConsulTlsMaterial =
  | { readonly ca: string[]; readonly cert?: string; readonly key?: string }
  | { readonly ca: string[]; readonly pfx: Buffer; readonly passphrase: string };

/** The client identity part: absent when Consul does not verify clients. */
export type ClientIdentity = { readonly cert: string; readonly key: string } | { readonly pfx: Buffer; readonly passphrase: string };
