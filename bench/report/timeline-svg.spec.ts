import { describe, expect, it } from '@jest/globals';
import { escapeXml, timelineSvg, type TimelineInput } from './timeline-svg.js';

/** Checks the document is well formed enough for a browser: one root, every tag closed in order. */
function tagStructure(svg: string): { root: string; depthErrors: string[]; elements: string[] } {
  const stack: string[] = [];
  const elements: string[] = [];
  const depthErrors: string[] = [];
  let root = '';
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (closing) {
      const open = stack.pop();
      if (open !== name) depthErrors.push(`</${name}> closes <${open}>`);
      continue;
    }
    if (!root) root = name!;
    else if (stack.length === 0) depthErrors.push(`second root <${name}>`);
    elements.push(name!);
    if (!selfClosing) stack.push(name!);
  }
  if (stack.length) depthErrors.push(`unclosed ${stack.join(',')}`);
  return { root, depthErrors, elements };
}

const input: TimelineInput = {
  title: 'N=3 <period 1 s> & "kill"',
  startMs: 1_000,
  endMs: 6_000,
  originMs: 2_000,
  lanes: [
    { name: 'a4c-1', segments: [{ fromMs: 1_000, toMs: 2_000, role: 'leader' }, { fromMs: 2_000, toMs: 6_000, role: 'down' }] },
    { name: 'a4c-2', segments: [{ fromMs: 0, toMs: 3_000, role: 'backup' }, { fromMs: 3_000, toMs: 3_100, role: 'activating' }, { fromMs: 3_100, toMs: 9_000, role: 'leader' }] },
  ],
  requests: [
    { atMs: 1_500, status: 200 },
    { atMs: 2_500, status: 503 },
    { atMs: 2_600, status: 0 },
    { atMs: 3_200, status: 200 },
    { atMs: 9_999, status: 200 }, // outside the window: not drawn
  ],
  markers: [
    { atMs: 2_000, label: 'SIGKILL a4c-1' },
    { atMs: 3_200, label: 'first 2xx (1.2 s)' },
  ],
};

describe('timelineSvg', () => {
  const svg = timelineSvg(input);

  it('is one well-formed <svg> document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const structure = tagStructure(svg);
    expect(structure.root).toBe('svg');
    expect(structure.depthErrors).toEqual([]);
  });

  it('escapes text and keeps every attribute value quoted and numeric where it is a coordinate', () => {
    expect(svg).toContain('N=3 &lt;period 1 s&gt; &amp; &quot;kill&quot;');
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    for (const [, value] of svg.matchAll(/ (?:x|y|width|height|x1|x2|y1|y2)="([^"]*)"/g)) expect(value).toMatch(/^-?\d+(\.\d+)?$/);
  });

  it('draws one bar per visible role segment, one tick per request in the window, and both markers', () => {
    const titles = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(titles).toEqual(['a4c-1: leader', 'a4c-1: down', 'a4c-2: backup', 'a4c-2: activating', 'a4c-2: leader']);
    expect(svg.match(/width="1.5"/g)).toHaveLength(4);
    expect(svg).toContain('SIGKILL a4c-1');
    expect(svg).toContain('first 2xx (1.2 s)');
    expect(svg).toContain('>0s</text>');
  });
});

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
