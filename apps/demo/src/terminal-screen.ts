/**
 * A full-screen view on the terminal's alternate screen (the shell's screen comes back on exit), redrawn
 * in place without clearing (no flicker), and raw key input. Without a TTY it falls back to printing a
 * frame every few seconds and reading commands line by line (`k`, `s`, `2`, `q` + Enter).
 */
export class TerminalScreen {
  private active = false;
  private lastPlain = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly input: NodeJS.ReadStream = process.stdin,
  ) {}

  open(onKey: (key: string) => void): void {
    this.active = true;
    if (this.out.isTTY) this.out.write('\x1b[?1049h\x1b[?25l'); // alternate screen, hide the cursor
    if (this.input.isTTY) this.input.setRawMode(true); // keys arrive one by one; Ctrl-C arrives as \x03
    this.input.setEncoding('utf8');
    this.input.on('data', (data: string) => {
      for (const key of this.input.isTTY ? [...data] : data.split(/\s+/).filter(Boolean)) onKey(key);
    });
    this.input.resume();
  }

  draw(lines: string[]): void {
    if (!this.active) return;
    if (!this.out.isTTY) {
      if (Date.now() - this.lastPlain < 5_000) return;
      this.lastPlain = Date.now();
      this.out.write(`${lines.join('\n')}\n\n`);
      return;
    }
    const width = Math.max(20, (this.out.columns ?? 100) - 1);
    const height = Math.max(5, this.out.rows ?? 40);
    const frame = lines.slice(0, height - 1).map((line) => `${line.slice(0, width)}\x1b[K`);
    this.out.write(`\x1b[H${frame.join('\n')}\n\x1b[J`);
  }

  close(): void {
    if (!this.active) return;
    this.active = false;
    if (this.input.isTTY) this.input.setRawMode(false);
    this.input.pause();
    if (this.out.isTTY) this.out.write('\x1b[?25h\x1b[?1049l');
  }
}
