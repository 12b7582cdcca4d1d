import { Writable } from 'node:stream';

/** The app's JSON log lines, kept in memory so a test can read what was logged. */
export class LogCapture {
  private readonly text: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      this.text.push(chunk.toString('utf8'));
      callback();
    },
  });

  get raw(): string {
    return this.text.join('');
  }

  lines(): Array<Record<string, unknown>> {
    return this.raw.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  find(msg: string): Array<Record<string, unknown>> {
    return this.lines().filter((line) => line.msg === msg);
  }
}
