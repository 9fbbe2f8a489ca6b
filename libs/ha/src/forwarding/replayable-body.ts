import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';

/**
 * A request body read at most once from the client, streamed to one upstream at a time. The first
 * `limit` bytes are kept so that an attempt the upstream provably did not process can be sent again;
 * once more than that has been read, the body can no longer be replayed (`replayable` turns false).
 * Nothing is read from the client before the first upstream is connected.
 */
export class ReplayableBody {
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private readBytes = 0;
  private ended = false;
  private overflowed = false;
  private current: { sink: Writable; onData: (c: Buffer) => void; onEnd: () => void } | null = null;

  constructor(
    private readonly source: IncomingMessage,
    private readonly limit: number,
  ) {
    source.pause();
  }

  /** True while every byte read so far is still kept (a retry can resend the whole body). */
  get replayable(): boolean {
    return !this.overflowed;
  }

  /** Writes what was kept, then streams the rest of the client's body into `sink`, ending it. */
  pipeTo(sink: Writable): void {
    if (!this.replayable) throw new Error('the body was larger than the retry buffer and cannot be sent again');
    this.detach();
    for (const chunk of this.kept) sink.write(chunk);
    if (this.ended) {
      sink.end();
      return;
    }
    const onData = (chunk: Buffer) => {
      this.readBytes += chunk.length;
      if (!this.overflowed && this.keptBytes + chunk.length <= this.limit) {
        this.kept.push(chunk);
        this.keptBytes += chunk.length;
      } else if (!this.overflowed) {
        this.overflowed = true;
        this.kept.length = 0; // nothing to replay any more: free the memory
        this.keptBytes = 0;
      }
      if (!sink.write(chunk)) {
        this.source.pause();
        sink.once('drain', () => this.current?.sink === sink && this.source.resume());
      }
    };
    const onEnd = () => {
      this.ended = true;
      sink.end();
    };
    this.current = { sink, onData, onEnd };
    this.source.on('data', onData);
    this.source.once('end', onEnd);
    this.source.resume();
  }

  /**
   * Gives the body, still unread, back to another consumer (the local full graph). The stream was paused
   * explicitly, and an explicitly paused stream does not start flowing when a 'data' listener is added
   * (body parsers rely on that): it is resumed as soon as someone listens.
   */
  handBack(): void {
    this.detach();
    const resumeOnRead = (event: string | symbol) => {
      if (event !== 'data') return;
      this.source.off('newListener', resumeOnRead);
      process.nextTick(() => this.source.resume());
    };
    this.source.on('newListener', resumeOnRead);
  }

  /** Stops feeding the current sink (its attempt failed); the client's body is paused again. */
  detach(): void {
    if (!this.current) return;
    this.source.off('data', this.current.onData);
    this.source.off('end', this.current.onEnd);
    this.current = null;
    this.source.pause();
  }

  get bytesRead(): number {
    return this.readBytes;
  }
}
