/**
 * A hand-written SVG timeline of one failover (no dependency): one lane per instance coloured by its
 * election role, one lane of requests through the proxy (2xx up, 5xx and errors down), vertical markers
 * for the kill and the first 2xx. Times are absolute epoch ms; the axis shows seconds from `originMs`.
 */
export type LaneRole = 'backup' | 'acquiring' | 'activating' | 'leader' | 'deactivating' | 'stopped' | 'down';

export interface TimelineInput {
  title: string;
  startMs: number;
  endMs: number;
  /** Time zero of the axis (the kill). */
  originMs: number;
  lanes: Array<{ name: string; segments: Array<{ fromMs: number; toMs: number; role: LaneRole }> }>;
  /** `status` 0 = no HTTP answer (connection error, timeout). */
  requests: Array<{ atMs: number; status: number; server?: string | null }>;
  markers: Array<{ atMs: number; label: string }>;
}

const COLOURS: Record<LaneRole, string> = {
  leader: '#2e7d32',
  activating: '#f9a825',
  deactivating: '#ef6c00',
  acquiring: '#90a4ae',
  backup: '#cfd8dc',
  stopped: '#eceff1',
  down: '#c62828',
};
const WIDTH = 960;
const LEFT = 120;
const RIGHT = 20;
const LANE = 24;
const TOP = 40;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function timelineSvg(input: TimelineInput): string {
  const span = Math.max(1, input.endMs - input.startMs);
  const x = (ms: number) => (LEFT + ((Math.min(Math.max(ms, input.startMs), input.endMs) - input.startMs) / span) * (WIDTH - LEFT - RIGHT)).toFixed(1);
  const requestsTop = TOP + input.lanes.length * LANE + 10;
  const axisY = requestsTop + 2 * LANE + 10;
  const height = axisY + 80;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${escapeXml(input.title)}</text>`,
  ];
  input.lanes.forEach((lane, n) => {
    const y = TOP + n * LANE;
    parts.push(`<text x="8" y="${y + 16}">${escapeXml(lane.name)}</text>`);
    for (const s of lane.segments) {
      if (s.toMs <= input.startMs || s.fromMs >= input.endMs) continue;
      const x0 = Number(x(s.fromMs));
      const w = Math.max(0.5, Number(x(s.toMs)) - x0);
      parts.push(`<rect x="${x0.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${LANE - 6}" fill="${COLOURS[s.role]}"><title>${escapeXml(`${lane.name}: ${s.role}`)}</title></rect>`);
    }
  });
  parts.push(`<text x="8" y="${requestsTop + 16}">proxy 2xx</text>`, `<text x="8" y="${requestsTop + LANE + 16}">proxy 5xx/err</text>`);
  for (const r of input.requests) {
    if (r.atMs < input.startMs || r.atMs > input.endMs) continue;
    const ok = r.status >= 200 && r.status < 300;
    const y = ok ? requestsTop + 3 : requestsTop + LANE + 3;
    parts.push(`<rect x="${x(r.atMs)}" y="${y}" width="1.5" height="${LANE - 6}" fill="${ok ? COLOURS.leader : COLOURS.down}"/>`);
  }
  parts.push(...axis(input, x, axisY), ...markers(input, x, axisY), ...legend(axisY + 40));
  parts.push(`<text x="${LEFT}" y="${axisY + 64}" font-size="11">requests are drawn at their send time: a 2xx may have waited in HAProxy's queue for a server; 5xx/err = 5xx answer or no answer</text>`);
  parts.push('</svg>', '');
  return parts.join('\n');
}

function axis(input: TimelineInput, x: (ms: number) => string, y: number): string[] {
  const out = [`<line x1="${LEFT}" y1="${y}" x2="${WIDTH - RIGHT}" y2="${y}" stroke="#000"/>`];
  const step = input.endMs - input.startMs > 20_000 ? 5_000 : 1_000; // about 5-20 labelled ticks
  const first = Math.ceil((input.startMs - input.originMs) / step) * step;
  for (let t = first; input.originMs + t <= input.endMs; t += step) {
    const px = x(input.originMs + t);
    out.push(`<line x1="${px}" y1="${y}" x2="${px}" y2="${y + 5}" stroke="#000"/>`);
    out.push(`<text x="${px}" y="${y + 18}" text-anchor="middle">${t / 1000}s</text>`);
  }
  return out;
}

function markers(input: TimelineInput, x: (ms: number) => string, bottom: number): string[] {
  return input.markers.flatMap((m, n) => [
    `<line x1="${x(m.atMs)}" y1="${TOP - 4}" x2="${x(m.atMs)}" y2="${bottom}" stroke="#000" stroke-dasharray="4 3"/>`,
    // even markers label to the left of their line, odd ones to the right: a kill and the first 2xx
    // a few hundred ms apart stay readable
    n % 2 === 0
      ? `<text x="${Number(x(m.atMs)) - 3}" y="${TOP - 6}" font-size="11" text-anchor="end">${escapeXml(m.label)}</text>`
      : `<text x="${Number(x(m.atMs)) + 3}" y="${TOP - 6}" font-size="11">${escapeXml(m.label)}</text>`,
  ]);
}

function legend(y: number): string[] {
  let px = LEFT;
  return (Object.keys(COLOURS) as LaneRole[]).flatMap((role) => {
    const item = [`<rect x="${px}" y="${y - 10}" width="12" height="12" fill="${COLOURS[role]}" stroke="#666"/>`, `<text x="${px + 16}" y="${y}">${role}</text>`];
    px += 110;
    return item;
  });
}
