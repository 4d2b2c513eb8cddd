/**
 * A second AMI session on the live Asterisk that keeps every byte it receives (the transcript
 * format of test/fixtures/ami: banner, login response, events, CRLF line ends) and the parsed
 * messages (through the production AmiFrameParser). Used to check what a user's event filter
 * lets through and to record new transcripts of call shapes no recording shows.
 */
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { AmiFrameParser, type AmiMessage } from '../../../src/telephony/ami/ami-frame-parser';

export class AmiCapture {
  readonly messages: AmiMessage[] = [];
  private readonly chunks: Buffer[] = [];
  private readonly parser = new AmiFrameParser();
  private socket: Socket | null = null;

  static async open(port: number, username: string, secret: string): Promise<AmiCapture> {
    const capture = new AmiCapture();
    await capture.connect(port, username, secret);
    return capture;
  }

  private connect(port: number, username: string, secret: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      this.socket = socket;
      let banner = false;
      socket.on('data', (chunk: Buffer) => {
        this.chunks.push(chunk);
        let data = chunk;
        if (!banner) {
          const end = data.indexOf('\r\n');
          if (end < 0) return;
          banner = true;
          data = data.subarray(end + 2);
          socket.write(`Action: Login\r\nUsername: ${username}\r\nSecret: ${secret}\r\nEvents: on\r\nActionID: cap-1\r\n\r\n`);
        }
        for (const message of this.parser.push(data).messages) {
          this.messages.push(message);
          if (message.ActionID === 'cap-1') {
            if (message.Response === 'Success') resolve();
            else reject(new Error(`AMI login as ${username}: ${message.Message ?? 'refused'}`));
          }
        }
      });
      socket.once('error', reject);
    });
  }

  /** Events received since message index `from`. */
  events(from = 0): AmiMessage[] {
    return this.messages.slice(from).filter((message) => message.Event !== undefined);
  }

  get mark(): number {
    return this.messages.length;
  }

  /** Writes the bytes received so far as a transcript file. */
  save(path: string): void {
    writeFileSync(path, Buffer.concat(this.chunks));
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }
}
