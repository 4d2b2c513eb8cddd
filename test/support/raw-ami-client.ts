import { connect, type Socket } from 'node:net';

/**
 * A bare TCP client for AMI servers: keeps every byte it received, splits it into frames only when
 * asked (so tests can compare bytes), can stop reading (to exert backpressure).
 */
export class RawAmiClient {
  received = '';
  /** Complete frames received so far (counted as they arrive). */
  frameCount = 0;
  closed = false;
  private scanned = 0;
  private readonly socket: Socket;
  private readonly waiters = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.received += chunk;
      for (let at = this.received.indexOf('\r\n\r\n', this.scanned); at >= 0; at = this.received.indexOf('\r\n\r\n', this.scanned)) {
        this.frameCount++;
        this.scanned = at + 4;
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawAmiClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => {
        socket.off('error', reject);
        resolve(new RawAmiClient(socket));
      });
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Sends one action given as header lines. */
  action(lines: string[]): void {
    this.send(`${lines.join('\r\n')}\r\n\r\n`);
  }

  /** Stops reading from the socket (the server's writes back up) / reads again. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** The banner line, then every complete `\r\n\r\n`-terminated frame received so far (terminator included). */
  frames(): { banner: string; frames: string[] } {
    const eol = this.received.indexOf('\r\n');
    const banner = eol >= 0 ? this.received.slice(0, eol + 2) : '';
    const frames: string[] = [];
    let at = banner.length;
    for (;;) {
      const end = this.received.indexOf('\r\n\r\n', at);
      if (end < 0) break;
      frames.push(this.received.slice(at, end + 4));
      at = end + 4;
    }
    return { banner, frames };
  }

  /** Resolves once `probe` is true (checked on every chunk and on close); rejects after `timeoutMs`. */
  waitFor(what: string, probe: (client: RawAmiClient) => boolean, timeoutMs = 10_000): Promise<void> {
    if (probe(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.received.length} chars received, closed: ${this.closed})`));
      }, timeoutMs);
      const check = (): void => {
        if (!probe(this)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
