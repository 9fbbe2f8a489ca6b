export interface PemBlock {
  readonly label: string;
  /** The whole block, BEGIN to END line, as Node's APIs take it (headers of legacy encrypted keys kept). */
  readonly text: string;
}

/** The PEM blocks of a text file, in order; text around them (comments, `Bag Attributes`) is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const pattern = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (const match of text.matchAll(pattern)) blocks.push({ label: match[1], text: `${match[0]}\n` });
  return blocks;
}

export const isCertificate = (block: PemBlock) => block.label === 'CERTIFICATE' || block.label === 'TRUSTED CERTIFICATE';
export const isPrivateKey = (block: PemBlock) => block.label.endsWith('PRIVATE KEY');
