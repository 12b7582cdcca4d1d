import { Writable } from 'node:stream';

/** Collects the app's JSON log lines, so a test can read what an operator would see. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }

  /** Everything logged so far, as one text to search. */
  text(): string {
    return this.lines.join('\n');
  }

  entries(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** The entries with this message. */
  find(msg: string): Record<string, unknown>[] {
    return this.entries().filter((entry) => entry.msg === msg);
  }
}
