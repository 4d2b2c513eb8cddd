/**
 * A TCP server speaking the real AMI wire protocol that serves recordings from
 * test/fixtures/ami (a port of harness/replay_ami.py, plus what tests need):
 * banner, Login (success, or the exact failure bytes of k_login_failed), the recorded events
 * (paced by their Timestamps, or as fast as possible), Ping, CoreShowChannels, Logoff, link cuts
 * with resume on the next connection, a silent-dead mode, and ID rewriting for repetitions.
 *
 * Events go to one session at a time: the first session that logs in with events on while no
 * other session is streaming. Other sessions only get answers to their actions.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { AmiFrameParser, type AmiMessage } from '../../src/telephony/ami/ami-frame-parser';

export type ReplaySource = string | { name: string; data: string | Buffer };

export interface ReplayServerOptions {
  /** Recordings served one after another (paths of .ami files, or inline contents). */
  recordings: ReplaySource[];
  /** 0 (default) = as fast as possible; 1 = real time from the events' Timestamp differences. */
  speed?: number;
  /** Serve the recordings this many times, IDs rewritten per repetition (see rewriteIds). */
  repeat?: number;
  /** At the end of one recording: cut the link like the recording did (default), or go on. */
  betweenRecordings?: 'drop' | 'continue';
  /** Close the connection once everything was sent (default: keep it open for actions). */
  closeAtEnd?: boolean;
  /** Fail this many logins (exact Asterisk failure bytes, then close) before accepting. */
  failLogins?: number;
  /** Cut the streaming link after this many events (once). */
  dropAfter?: number;
  /** Items of the CoreShowChannels answer (fields after `Event`/`ActionID`). */
  channels?: AmiMessage[];
  /** Actions (case-insensitive names) that get no answer at all. */
  ignoreActions?: string[];
}

export interface ReplayConnection {
  id: number;
  /** Every byte the client sent, as text. */
  received: string;
  /** The client's messages, parsed. */
  actions: AmiMessage[];
  loggedIn: boolean;
  /** Events sent on this connection. */
  eventsSent: number;
  closed: boolean;
}

export interface ReplayServerEvents {
  connection: [ReplayConnection];
  action: [ReplayConnection, AmiMessage];
  closed: [ReplayConnection];
  /** Every recorded event has been sent. */
  end: [];
}

interface Recording {
  name: string;
  banner: string;
  loginResponse: string | null;
  blocks: string[];
}

interface Session extends ReplayConnection {
  socket: Socket;
  parser: AmiFrameParser;
  frozen: boolean;
}

const CRLF2 = '\r\n\r\n';
const DEFAULT_BANNER = 'Asterisk Call Manager/11.0.0\r\n';

export class AmiReplayServer extends EventEmitter<ReplayServerEvents> {
  readonly connections: ReplayConnection[] = [];
  private readonly recordings: Recording[];
  private readonly sessions = new Set<Session>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | null = null;
  private streamer: Session | null = null;
  private cursor = { repetition: 0, recording: 0, block: 0 };
  private dropCountdown: number | null;
  private failLogins: number;
  private ended = false;
  private channels: AmiMessage[];

  constructor(private readonly options: ReplayServerOptions) {
    super();
    this.recordings = options.recordings.map(loadRecording);
    if (this.recordings.length === 0) throw new Error('AmiReplayServer needs at least one recording');
    this.dropCountdown = options.dropAfter ?? null;
    this.failLogins = options.failLogins ?? 0;
    this.channels = options.channels ?? [];
  }

  listen(port = 0): Promise<{ port: number; close(): Promise<void> }> {
    const server = createServer((socket) => this.onConnection(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : port;
        resolve({ port: bound, close: () => this.close() });
      });
    });
  }

  /** Cuts the streaming link after `events` more events; the next connection resumes. */
  dropAfter(events: number): void {
    this.dropCountdown = events;
  }

  /** Cuts every open connection now (the next connection resumes the stream). */
  killConnections(): void {
    for (const session of this.sessions) session.socket.destroy();
  }

  /** Actions (by name) left unanswered from now on, e.g. a CoreShowChannels that times out. */
  setIgnoredActions(names: string[]): void {
    this.options.ignoreActions = names;
  }

  /** Open connections go silent — no answers, no events, socket left open (a dead peer). */
  freezeConnections(): void {
    for (const session of this.sessions) session.frozen = true;
  }

  /** Fail the next `count` logins. */
  failNextLogins(count: number): void {
    this.failLogins = count;
  }

  setChannels(items: AmiMessage[]): void {
    this.channels = items;
  }

  /** Recorded events still to be sent. */
  get remainingEvents(): number {
    const perRepetition = this.recordings.reduce((sum, r) => sum + r.blocks.length, 0);
    const { repetition, recording, block } = this.cursor;
    const done = this.recordings.slice(0, recording).reduce((sum, r) => sum + r.blocks.length, 0) + block;
    return Math.max(0, ((this.options.repeat ?? 1) - repetition) * perRepetition - done);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const session of this.sessions) session.socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- one connection ------------------------------------------------------------------------

  private onConnection(socket: Socket): void {
    socket.setNoDelay(true);
    const session: Session = {
      id: this.connections.length + 1,
      received: '',
      actions: [],
      loggedIn: false,
      eventsSent: 0,
      closed: false,
      socket,
      parser: new AmiFrameParser({ maxMessageChars: 64 * 1024 }),
      frozen: false,
    };
    this.connections.push(session);
    this.sessions.add(session);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      session.closed = true;
      this.sessions.delete(session);
      if (this.streamer === session) this.streamer = null;
      this.emit('closed', session);
    });
    socket.on('data', (chunk: Buffer) => {
      session.received += chunk.toString('utf8');
      for (const message of session.parser.push(chunk).messages) this.onAction(session, message);
    });
    socket.write(this.recordings[0].banner);
    this.emit('connection', session);
  }

  private onAction(session: Session, message: AmiMessage): void {
    session.actions.push(message);
    this.emit('action', session, message);
    if (session.frozen || session.closed) return;
    const action = (message.Action ?? '').toLowerCase();
    const id = message.ActionID;
    if ((this.options.ignoreActions ?? []).some((name) => name.toLowerCase() === action)) return;
    if (action === 'login') return this.onLogin(session, message);
    if (!session.loggedIn) return this.send(session, response('Error', id, ['Message: Permission denied']));
    switch (action) {
      case 'ping':
        return this.send(session, response('Success', id, ['Ping: Pong', `Timestamp: ${(Date.now() / 1000).toFixed(6)}`]));
      case 'coreshowchannels':
        return this.sendChannels(session, id);
      case 'logoff':
        this.send(session, response('Goodbye', id, ['Message: Thanks for all the fish.']));
        session.socket.end();
        return;
      default:
        return this.send(session, response('Success', id, ['Message: replay']));
    }
  }

  private onLogin(session: Session, message: AmiMessage): void {
    const id = message.ActionID;
    if (this.failLogins > 0) {
      this.failLogins--;
      // byte-exact as in k_login_failed.ami; Asterisk then closes the socket
      session.socket.end(response('Error', id, ['Message: Authentication failed']));
      session.frozen = true;
      return;
    }
    session.loggedIn = true;
    const recorded = this.recordings[0].loginResponse;
    this.send(session, recorded ? withActionId(recorded, id) : response('Success', id, ['Message: Authentication accepted']));
    const eventsOff = /^off$/i.test(message.Events ?? '');
    if (!eventsOff && this.streamer === null) void this.stream(session);
  }

  private sendChannels(session: Session, id: string | undefined): void {
    const aid = id === undefined ? [] : [`ActionID: ${id}`];
    const out = [response('Success', id, ['EventList: start', 'Message: Channels will follow'])];
    for (const item of this.channels) {
      const fields = Object.entries(item).map(([key, value]) => `${key}: ${value}`);
      out.push(['Event: CoreShowChannel', ...aid, ...fields].join('\r\n') + CRLF2);
    }
    out.push(['Event: CoreShowChannelsComplete', ...aid, 'EventList: Complete', `ListItems: ${this.channels.length}`].join('\r\n') + CRLF2);
    this.send(session, out.join(''));
  }

  private send(session: Session, text: string): void {
    if (!session.closed && !session.frozen && session.socket.writable) session.socket.write(text);
  }

  // ---- the recorded stream -------------------------------------------------------------------

  private async stream(session: Session): Promise<void> {
    this.streamer = session;
    const speed = this.options.speed ?? 0;
    let previousTs: number | null = null;
    while (this.streamer === session && !session.closed && !session.frozen) {
      const next = this.nextBlock();
      if (!next) break;
      const ts = timestampOf(next.text);
      if (speed > 0 && ts !== null && previousTs !== null && ts > previousTs) {
        await this.sleep(((ts - previousTs) * 1000) / speed);
        if (this.streamer !== session || session.closed || session.frozen) break;
      }
      if (ts !== null) previousTs = ts;
      const flushed = session.socket.write(next.text);
      this.advance();
      session.eventsSent++;
      if (this.dropCountdown !== null && --this.dropCountdown <= 0) {
        this.dropCountdown = null;
        session.socket.destroy();
        break;
      }
      if (next.lastOfRecording && this.remainingEvents > 0 && this.options.betweenRecordings !== 'continue') {
        session.socket.end();
        break;
      }
      if (!flushed) await drainOrClose(session.socket);
      else if (session.eventsSent % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.streamer === session) this.streamer = null;
    if (this.remainingEvents === 0 && !this.ended) {
      this.ended = true;
      this.emit('end');
      if (this.options.closeAtEnd && !session.closed) session.socket.end();
    }
  }

  private nextBlock(): { text: string; lastOfRecording: boolean } | null {
    const { repetition, recording, block } = this.cursor;
    if (repetition >= (this.options.repeat ?? 1)) return null;
    const source = this.recordings[recording];
    const raw = source.blocks[block];
    return {
      text: (repetition === 0 ? raw : rewriteIds(raw, repetition)) + CRLF2,
      lastOfRecording: block === source.blocks.length - 1,
    };
  }

  private advance(): void {
    const c = this.cursor;
    if (++c.block < this.recordings[c.recording].blocks.length) return;
    c.block = 0;
    if (++c.recording < this.recordings.length) return;
    c.recording = 0;
    c.repetition++;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

/** The exact bytes of a response, e.g. `Response: Error / ActionID / Message: …`. */
function response(kind: string, actionId: string | undefined, lines: string[]): string {
  const head = actionId === undefined ? [`Response: ${kind}`] : [`Response: ${kind}`, `ActionID: ${actionId}`];
  return [...head, ...lines].join('\r\n') + CRLF2;
}

function withActionId(block: string, actionId: string | undefined): string {
  const text =
    actionId === undefined
      ? block.replace(/^ActionID:[^\r\n]*\r\n/m, '')
      : block.replace(/^ActionID:[^\r\n]*/m, () => `ActionID: ${actionId}`);
  return text + CRLF2;
}

function loadRecording(source: ReplaySource): Recording {
  const name = typeof source === 'string' ? source : source.name;
  const data = typeof source === 'string' ? readFileSync(source, 'utf8') : source.data.toString();
  const eol = data.indexOf('\r\n');
  const hasBanner = data.startsWith('Asterisk Call Manager/') && eol >= 0;
  const banner = hasBanner ? data.slice(0, eol + 2) : DEFAULT_BANNER;
  const blocks = (hasBanner ? data.slice(eol + 2) : data).split(CRLF2).filter((b) => b.trim() !== '');
  const first = blocks[0] ?? '';
  const loginResponse = /^Response: Success\r\n/.test(first) && /Authentication accepted/.test(first) ? first : null;
  return { name, banner, loginResponse, blocks: loginResponse ? blocks.slice(1) : blocks };
}

function timestampOf(block: string): number | null {
  const match = /^Timestamp: ([0-9.]+)\r?$/m.exec(block);
  return match ? Number(match[1]) : null;
}

function drainOrClose(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/**
 * Makes repetition `n` of a recording a different set of calls: `<epoch>.<seq>` values of every
 * `…Uniqueid`/`…Linkedid` header get `n × 10^7` added to `seq`, and the 8-hex-digit suffix of
 * channel names (`Local/101@managers-000000e4;1`, `PJSIP/trunk-0000002a`) gets `n × 2^24`.
 * Pure; repetition 0 returns the block unchanged.
 */
export function rewriteIds(block: string, repetition: number): string {
  if (repetition === 0) return block;
  return block
    .replace(/^([A-Za-z]*(?:Uniqueid|Linkedid)): (\d+)\.(\d+)\r?$/gim, (line: string, key: string, epoch: string, seq: string) =>
      line.replace(`${epoch}.${seq}`, `${epoch}.${Number(seq) + repetition * 10_000_000}`),
    )
    .replace(/(\/[^\s/;,]+-)([0-9a-f]{8})(?=;[12]|[^0-9a-zA-Z]|$)/gm, (_m: string, head: string, hex: string) => {
      const value = (parseInt(hex, 16) + repetition * 0x1000000) % 0x100000000;
      return head + value.toString(16).padStart(8, '0');
    });
}
