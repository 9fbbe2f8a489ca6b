/**
 * One status line on stderr saying what a long run is doing. On a terminal it is rewritten in place;
 * otherwise (CI logs, `| tee`) a line is printed when the message changes, at most every 5 s.
 */
export class Progress {
  private lastPrinted = 0;
  private lastText = '';
  private readonly startedAt = Date.now();

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(text: string): void {
    const line = `[${clock(Date.now() - this.startedAt)}] ${text}`;
    if (this.out.isTTY) {
      const width = this.out.columns ?? 120;
      this.out.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
    } else if (text !== this.lastText && Date.now() - this.lastPrinted >= 5_000) {
      this.out.write(`${line}\n`);
      this.lastPrinted = Date.now();
    }
    this.lastText = text;
  }

  /** A line that stays (a finished configuration), printed in both modes. */
  log(text: string): void {
    if (this.out.isTTY) this.out.write('\r\x1b[2K');
    this.out.write(`[${clock(Date.now() - this.startedAt)}] ${text}\n`);
  }

  done(): void {
    if (this.out.isTTY) this.out.write('\r\x1b[2K');
  }
}

export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
