/**
 * The few DER operations the key-store readers need: walk TLVs, read OIDs, integers and octet strings.
 * Definite lengths only (PKCS#12 files from OpenSSL and keytool are DER); anything else is reported as
 * malformed rather than guessed at.
 */
export interface DerNode {
  readonly tag: number;
  /** The value bytes (a view into the input). */
  readonly content: Buffer;
  /** Offset just past this node in the input it was read from. */
  readonly end: number;
}

export class DerError extends Error {
  override readonly name = 'DerError';
}

export const TAG = { INTEGER: 0x02, OCTET_STRING: 0x04, OID: 0x06, SEQUENCE: 0x30, SET: 0x31, CONTEXT_0: 0xa0, IMPLICIT_0: 0x80 } as const;

export function readNode(input: Buffer, offset = 0): DerNode {
  if (offset + 2 > input.length) throw new DerError('truncated');
  const tag = input[offset];
  let length = input[offset + 1];
  let start = offset + 2;
  if (length === 0x80) throw new DerError('indefinite length (BER) is not supported');
  if (length > 0x80) {
    const bytes = length & 0x7f;
    if (bytes > 4 || start + bytes > input.length) throw new DerError('bad length');
    length = input.subarray(start, start + bytes).reduce((acc, b) => acc * 256 + b, 0);
    start += bytes;
  }
  if (start + length > input.length) throw new DerError('truncated');
  return { tag, content: input.subarray(start, start + length), end: start + length };
}

/** Reads a node and insists on its tag. */
export function expectNode(input: Buffer, tag: number, offset = 0): DerNode {
  const node = readNode(input, offset);
  if (node.tag !== tag) throw new DerError(`expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

/** The nodes inside a constructed node (SEQUENCE, SET, [n] EXPLICIT). */
export function childrenOf(node: DerNode): DerNode[] {
  const children: DerNode[] = [];
  for (let offset = 0; offset < node.content.length; ) {
    const child = readNode(node.content, offset);
    children.push(child);
    offset = child.end;
  }
  return children;
}

export function oidOf(node: DerNode): string {
  if (node.tag !== TAG.OID || node.content.length === 0) throw new DerError('expected an OID');
  const bytes = node.content;
  const parts = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let value = 0;
  for (let i = 1; i < bytes.length; i++) {
    value = value * 128 + (bytes[i] & 0x7f);
    if ((bytes[i] & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

export function integerOf(node: DerNode): number {
  if (node.tag !== TAG.INTEGER || node.content.length > 6) throw new DerError('expected a small INTEGER');
  return node.content.reduce((acc, b) => acc * 256 + b, 0);
}

export function octetsOf(node: DerNode): Buffer {
  if (node.tag !== TAG.OCTET_STRING && node.tag !== TAG.IMPLICIT_0) throw new DerError('expected an OCTET STRING');
  return node.content;
}

/** Wraps DER bytes as a PEM block. */
export function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
