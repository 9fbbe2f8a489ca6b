export interface PemBlock {
  readonly label: string;
  /** The whole block, BEGIN to END line, as Node's APIs take it (headers of legacy encrypted keys kept). */
  readonly text: string;
}

/**
 * The PEM blocks of a text file, in order; text around them (comments, `Bag Attributes`) is ignored.
 * Each BEGIN line pairs with the next END line of the same label. Linear in the file size: the markers
 * are found in one pass each, so a crafted file of unclosed BEGIN lines cannot make it quadratic.
 */
export function pemBlocks(text: string): PemBlock[] {
  const ends = new Map<string, number[]>();
  for (const match of text.matchAll(/-----END ([A-Z0-9 ]+)-----/g)) {
    const list = ends.get(match[1]) ?? [];
    list.push(match.index + match[0].length);
    ends.set(match[1], list);
  }
  const blocks: PemBlock[] = [];
  const next = new Map<string, number>(); // per label, the first END not yet passed
  let cursor = 0;
  for (const match of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)) {
    if (match.index < cursor) continue;
    const list = ends.get(match[1]) ?? [];
    const bodyStart = match.index + match[0].length;
    let i = next.get(match[1]) ?? 0;
    while (i < list.length && list[i] - `-----END ${match[1]}-----`.length < bodyStart) i++;
    next.set(match[1], i);
    if (i === list.length) continue;
    blocks.push({ label: match[1], text: `${text.slice(match.index, list[i])}\n` });
    cursor = list[i];
  }
  return blocks;
}

export const isCertificate = (block: PemBlock) => block.label === 'CERTIFICATE' || block.label === 'TRUSTED CERTIFICATE';
export const isPrivateKey = (block: PemBlock) => block.label.endsWith('PRIVATE KEY');
