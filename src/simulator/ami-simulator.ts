import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { AmiFrameParser, parseMessageText, type AmiMessage } from '../telephony/ami/ami-frame-parser';
import {
  CORE_SHOW_CHANNELS,
  DEVICE_STATE_LIST,
  eventsAnswer,
  goodbye,
  listAnswer,
  loginAccepted,
  loginFailed,
  maskAllows,
  missingAction,
  parseEventMask,
  permissionDenied,
  ping,
  response,
  unknownAction,
  withActionId,
} from './ami-responses';
import { isAsteriskAction } from './asterisk-actions';
import { PbxState } from './pbx-state';
import { CRLF2, loadRecording, type Recording, type RecordingSource } from './recording';
import { AS_RECORDED, rewriteBlock, shiftToNow, type Rewrite } from './rewrite';

/**
 * The simulated PBX: a TCP server speaking AMI as Asterisk 22 does, playing recordings of a real
 * Asterisk (test/fixtures/ami) to every client logged in with events on.
 *
 * - Banner, `Login` (user/secret checked when `login` is set; a wrong one gets Asterisk's exact
 *   failure and the connection closed), `Events` (event masks by class, as Asterisk filters them),
 *   `Ping`, `Logoff`, `CoreShowChannels` and `DeviceStateList` answered from the live state at this
 *   point of the stream (PbxState); an action Asterisk does not know, or any action before Login,
 *   answered as Asterisk does; `Filter` accepted (not applied); other Asterisk actions get a plain
 *   Success (`Message: replay`) and do nothing.
 * - Events paced by their recorded `Timestamp` differences divided by `speed` (0 = as fast as the
 *   clients read), sent to every session whose event mask lets them through. Writes respect
 *   backpressure: the stream waits for the slowest client's socket to drain; no frame is ever
 *   dropped or cut.
 * - Each round of a recording can be new calls (`fresh`): fresh ids (generation n of rewriteBlock)
 *   and the clock moved so that the recording starts now.
 * - While no client has events on, the stream pauses where it is; the next client resumes it
 *   (a PBX whose link dropped: the lost client's unread bytes are lost with it, as with Asterisk).
 *
 * The fault knobs (failLogins, dropAfter, channels, ignoreActions, killConnections,
 * freezeConnections) exist for tests of AMI clients: a PBX that refuses, cuts, lists what a test
 * says, or goes silent.
 */

export interface SimulatorLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface SimulatorOptions {
  /** Recordings served one after another (paths of .ami files, or inline contents). */
  recordings: RecordingSource[];
  /** 0 (default) = as fast as possible; 1 = real time from the events' Timestamp differences; 4 = four times faster. */
  speed?: number;
  /** Rounds of all the recordings (default 1); Infinity = loop forever. */
  repeat?: number;
  /**
   * Every round (the first too) as new calls happening now: fresh ids, Timestamps (and Cdr times)
   * moved so that each recording starts at the wall clock. Default false: the first round as
   * recorded, later rounds with ids moved out of the way and the recorded clock.
   */
  fresh?: boolean;
  /** Accept only this user (case-insensitive, as Asterisk) and secret. Unset: any login succeeds. */
  login?: { username: string; secret: string };
  /** Asterisk waits a second before answering a failed login. Default 0. */
  loginFailureDelayMs?: number;
  /** Start streaming once this many clients are logged in with events on (default 1). */
  clients?: number;
  /** At the end of one recording: cut the link like the recording did (default), or go on. */
  betweenRecordings?: 'drop' | 'continue';
  /** Close the event connections once everything was sent (default: keep them open for actions). */
  closeAtEnd?: boolean;
  logger?: SimulatorLogger;

  // ---- fault injection, for tests of AMI clients ----
  /** Fail this many logins (exact Asterisk failure bytes, then close) before accepting. */
  failLogins?: number;
  /** Cut the streaming links after this many events (once). */
  dropAfter?: number;
  /** Items of every CoreShowChannels answer instead of the live state. */
  channels?: AmiMessage[];
  /** Actions (case-insensitive names) that get no answer at all. */
  ignoreActions?: string[];
}

export interface SimulatorConnection {
  id: number;
  /** What the client sent, as text (the first 1 MB). */
  received: string;
  /** The client's messages, parsed (the first 10,000). */
  actions: AmiMessage[];
  loggedIn: boolean;
  /** Events sent on this connection. */
  eventsSent: number;
  closed: boolean;
}

export interface SimulatorEvents {
  connection: [SimulatorConnection];
  action: [SimulatorConnection, AmiMessage];
  closed: [SimulatorConnection];
  /** A recording starts (again): which round, and how its ids and clock are rewritten. */
  segment: [{ round: number; recording: string; rewrite: Rewrite }];
  /** Every recorded event has been sent. */
  end: [];
}

interface Session extends SimulatorConnection {
  socket: Socket;
  parser: AmiFrameParser;
  /** No answers, no events (a dead peer, or a login being refused). */
  frozen: boolean;
  /** Being closed by the server: gets nothing more. */
  leaving: boolean;
  /** null = every event class; empty = events off. */
  mask: Set<string> | null;
  remote: string;
}

interface NextBlock {
  key: string;
  text: string;
  timestamp: number | null;
  segment: string;
  lastOfRecording: boolean;
}

const MAX_RECEIVED_CHARS = 1024 * 1024;
const STALL_WARNING_MS = 10_000;
const MAX_ACTIONS = 10_000;
const SILENT: SimulatorLogger = { log() {}, warn() {} };

export class AmiSimulator extends EventEmitter<SimulatorEvents> {
  readonly connections: SimulatorConnection[] = [];
  readonly recordings: readonly Recording[];
  private readonly sessions = new Set<Session>();
  private readonly sleepers = new Set<() => void>();
  private readonly logger: SimulatorLogger;
  private readonly state = new PbxState();
  private server: Server | null = null;
  private cursor = { round: 0, recording: 0, block: 0 };
  private segment: { key: string; rewrite: Rewrite } | null = null;
  private peeked: NextBlock | null = null;
  private generations = 0;
  private running = false;
  private started = false;
  private ended = false;
  private closing = false;
  private lastTimestamp: number | null = null;
  private lastSentAt = 0;
  private dropCountdown: number | null;
  private failLogins: number;
  private channelsOverride: AmiMessage[] | null;
  private ignoreActions: string[];

  constructor(private readonly options: SimulatorOptions) {
    super();
    this.recordings = options.recordings.map(loadRecording);
    if (this.recordings.length === 0) throw new Error('the simulator needs at least one recording');
    this.logger = options.logger ?? SILENT;
    this.dropCountdown = options.dropAfter ?? null;
    this.failLogins = options.failLogins ?? 0;
    this.channelsOverride = options.channels ?? null;
    this.ignoreActions = options.ignoreActions ?? [];
  }

  listen(port = 0, host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
    const server = createServer((socket) => this.onConnection(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : port;
        resolve({ port: bound, close: () => this.close() });
      });
    });
  }

  /** Every recorded event this simulator serves, all rounds (Infinity when looping). */
  get totalEvents(): number {
    const perRound = this.recordings.reduce((sum, r) => sum + r.blocks.length, 0);
    return perRound === 0 ? 0 : (this.options.repeat ?? 1) * perRound;
  }

  /** Recorded events still to be sent (Infinity when looping). */
  get remainingEvents(): number {
    const repeat = this.options.repeat ?? 1;
    const perRound = this.recordings.reduce((sum, r) => sum + r.blocks.length, 0);
    if (perRound === 0) return 0;
    const { round, recording, block } = this.cursor;
    const done = this.recordings.slice(0, recording).reduce((sum, r) => sum + r.blocks.length, 0) + block;
    return Math.max(0, (repeat - round) * perRound - done);
  }

  /** What CoreShowChannels lists now (the live state, or the items a test set). */
  liveChannels(): AmiMessage[] {
    return this.channelsOverride ?? this.state.coreShowChannels(this.streamClock());
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
    for (const session of this.sessions) session.socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- fault injection (tests) ---------------------------------------------------------------

  /** Cuts the streaming links after `events` more events; the next connection resumes. */
  dropAfter(events: number): void {
    this.dropCountdown = events;
  }

  /** Cuts every open connection now (the next connection resumes the stream). */
  killConnections(): void {
    for (const session of this.sessions) {
      session.leaving = true;
      session.socket.destroy();
    }
  }

  /** Actions (by name) left unanswered from now on, e.g. a CoreShowChannels that times out. */
  setIgnoredActions(names: string[]): void {
    this.ignoreActions = names;
  }

  /** Open connections go silent — no answers, no events, socket left open (a dead peer). */
  freezeConnections(): void {
    for (const session of this.sessions) session.frozen = true;
  }

  /** Fail the next `count` logins. */
  failNextLogins(count: number): void {
    this.failLogins = count;
  }

  /** CoreShowChannels answers with these items from now on (null: the live state again). */
  setChannels(items: AmiMessage[] | null): void {
    this.channelsOverride = items;
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
      leaving: false,
      mask: null,
      remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
    };
    this.connections.push(session);
    this.sessions.add(session);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      session.closed = true;
      this.sessions.delete(session);
      this.logger.log(`client ${session.id} disconnected (${session.eventsSent} events sent to it)`);
      this.emit('closed', session);
    });
    socket.on('data', (chunk: Buffer) => {
      if (session.received.length < MAX_RECEIVED_CHARS) session.received += chunk.toString('utf8');
      for (const message of session.parser.push(chunk).messages) this.onAction(session, message);
    });
    this.logger.log(`client ${session.id} connected from ${session.remote}`);
    socket.write(this.recordings[0].banner);
    this.emit('connection', session);
  }

  private onAction(session: Session, message: AmiMessage): void {
    if (session.actions.length < MAX_ACTIONS) session.actions.push(message);
    this.emit('action', session, message);
    if (session.frozen || session.closed || session.leaving) return;
    const name = message.Action;
    const id = message.ActionID;
    if (name !== undefined && this.ignoreActions.some((ignored) => ignored.toLowerCase() === name.toLowerCase())) return;
    if (name === undefined || name.trim() === '') return this.send(session, missingAction(id));
    const action = name.toLowerCase();
    if (action === 'login') return this.onLogin(session, message);
    if (action === 'logoff') {
      session.leaving = true;
      session.socket.end(goodbye(id));
      return;
    }
    if (action === 'challenge') {
      return this.send(session, response('Error', id, ['Message: MD5 challenge login is not simulated; log in with Secret']));
    }
    if (!session.loggedIn) return this.send(session, permissionDenied(id));
    switch (action) {
      case 'ping':
        return this.send(session, ping(id, Date.now()));
      case 'events': {
        session.mask = parseEventMask(message.EventMask);
        this.send(session, eventsAnswer(id, session.mask === null || session.mask.size > 0));
        return this.pump();
      }
      case 'coreshowchannels':
        return this.send(session, listAnswer(CORE_SHOW_CHANNELS, id, this.liveChannels()));
      case 'devicestatelist':
        return this.send(session, listAnswer(DEVICE_STATE_LIST, id, this.state.deviceStates()));
      case 'filter':
        // Asterisk's answer; the filter itself is not applied (clients ignore events they do not track)
        return this.send(session, response('Success', id, ['Message: Success']));
      default:
        return this.send(session, isAsteriskAction(name) ? response('Success', id, ['Message: replay']) : unknownAction(id, name));
    }
  }

  private onLogin(session: Session, message: AmiMessage): void {
    const id = message.ActionID;
    const user = message.Username ?? '';
    const wanted = this.options.login;
    const refused =
      this.failLogins > 0 || (wanted !== undefined && (user.toLowerCase() !== wanted.username.toLowerCase() || (message.Secret ?? '') !== wanted.secret));
    if (refused) {
      if (this.failLogins > 0) this.failLogins--;
      this.logger.warn(`client ${session.id}: login as "${user}" refused (wrong user or secret)`);
      session.frozen = true; // Asterisk reads nothing more from it
      const answer = (): void => {
        if (!session.closed) session.socket.end(loginFailed(id));
      };
      const delay = this.options.loginFailureDelayMs ?? 0;
      if (delay > 0) void this.sleep(delay).then(answer);
      else answer();
      return;
    }
    session.loggedIn = true;
    session.mask = parseEventMask(message.Events);
    const recorded = this.recordings[0].loginResponse;
    this.send(session, recorded ? withActionId(recorded, id) : loginAccepted(id));
    const events = session.mask === null ? 'on' : session.mask.size === 0 ? 'off' : [...session.mask].join(',');
    this.logger.log(`client ${session.id} logged in as "${user}" (events ${events})`);
    this.pump();
  }

  private send(session: Session, text: string): void {
    if (!session.closed && !session.frozen && !session.leaving && session.socket.writable) session.socket.write(text);
  }

  private eventSessions(): Session[] {
    return [...this.sessions].filter((s) => s.loggedIn && !s.closed && !s.frozen && !s.leaving && (s.mask === null || s.mask.size > 0));
  }

  // ---- the recorded stream -------------------------------------------------------------------

  /** Starts (or resumes) the stream when enough clients listen. */
  private pump(): void {
    if (this.running || this.closing || this.ended) return;
    const listening = this.eventSessions().length;
    const needed = this.started ? 1 : Math.max(1, this.options.clients ?? 1);
    if (listening === 0) return;
    if (listening < needed) {
      this.logger.log(`waiting for ${needed - listening} more client(s) with events on before streaming`);
      return;
    }
    void this.stream();
  }

  private async stream(): Promise<void> {
    this.running = true;
    if (this.started) this.logger.log('stream resumed');
    this.started = true;
    const speed = this.options.speed ?? 0;
    let anchor: { wall: number; ts: number; segment: string } | null = null;
    let sinceYield = 0;
    try {
      for (;;) {
        if (this.closing) return;
        const targets = this.eventSessions();
        if (targets.length === 0) {
          if (this.remainingEvents > 0) this.logger.log('stream paused: no client with events on');
          break;
        }
        const next = this.peek();
        if (!next) break;
        if (speed > 0 && next.timestamp !== null) {
          if (anchor === null || anchor.segment !== next.segment) {
            // a new recording: keep the recorded gap after the previous one (none after a pause)
            const gap: number = anchor !== null && this.lastTimestamp !== null && next.timestamp > this.lastTimestamp ? ((next.timestamp - this.lastTimestamp) * 1000) / speed : 0;
            anchor = { wall: Date.now() + gap, ts: next.timestamp, segment: next.segment };
          }
          const wait = anchor.wall + ((next.timestamp - anchor.ts) * 1000) / speed - Date.now();
          if (wait >= 1) {
            await this.sleep(wait);
            continue;
          }
        }
        const frame = next.text + CRLF2;
        const draining: Session[] = [];
        for (const session of targets) {
          if (session.socket.destroyed || !maskAllows(session.mask, next.text)) continue;
          session.eventsSent++;
          if (!session.socket.write(frame)) draining.push(session);
        }
        const message = parseMessageText(next.text);
        if (message) this.state.apply(message);
        if (next.timestamp !== null) this.lastTimestamp = next.timestamp;
        this.lastSentAt = Date.now();
        this.advance();
        if (this.dropCountdown !== null && --this.dropCountdown <= 0) {
          this.dropCountdown = null;
          for (const session of targets) {
            session.leaving = true;
            session.socket.destroy();
          }
          break;
        }
        if (next.lastOfRecording && this.remainingEvents > 0 && this.options.betweenRecordings !== 'continue') {
          for (const session of targets) {
            session.leaving = true;
            session.socket.end();
          }
          break;
        }
        if (draining.length > 0) {
          await this.drained(draining);
          sinceYield = 0;
        } else if (++sinceYield >= 256) {
          // let actions (a CoreShowChannels mid-stream) in between events
          sinceYield = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      this.running = false;
    }
    if (this.remainingEvents === 0) {
      if (this.ended) return;
      this.ended = true;
      this.logger.log('every recorded event has been sent');
      this.emit('end');
      if (this.options.closeAtEnd) {
        for (const session of this.eventSessions()) {
          session.leaving = true;
          session.socket.end();
        }
      }
      return;
    }
    // someone may have logged in while the loop was finishing
    setImmediate(() => this.pump());
  }

  private peek(): NextBlock | null {
    const repeat = this.options.repeat ?? 1;
    if (this.recordings.every((r) => r.blocks.length === 0)) return null; // nothing to play, even in a loop
    for (;;) {
      const { round, recording, block } = this.cursor;
      if (round >= repeat) return null;
      const source = this.recordings[recording];
      if (source.blocks.length === 0) {
        this.advance();
        continue;
      }
      const key = `${round}/${recording}/${block}`;
      if (this.peeked?.key === key) return this.peeked;
      const segment = `${round}/${recording}`;
      if (this.segment?.key !== segment) this.startSegment(segment, round, source);
      const rewrite = this.segment?.rewrite ?? AS_RECORDED;
      const raw = source.blocks[block];
      this.peeked = {
        key,
        text: rewriteBlock(raw.text, rewrite),
        timestamp: raw.timestamp === null ? null : raw.timestamp + rewrite.shiftSeconds,
        segment,
        lastOfRecording: block === source.blocks.length - 1,
      };
      return this.peeked;
    }
  }

  private startSegment(key: string, round: number, source: Recording): void {
    const rewrite: Rewrite = this.options.fresh
      ? { generation: ++this.generations, shiftSeconds: shiftToNow(source.firstTimestamp, Date.now() / 1000) }
      : { generation: round, shiftSeconds: 0 };
    this.segment = { key, rewrite };
    const repeat = this.options.repeat ?? 1;
    const rounds = Number.isFinite(repeat) ? `/${repeat}` : '';
    const ids = rewrite.generation === 0 ? 'ids as recorded' : `ids generation ${rewrite.generation}`;
    const clock = rewrite.shiftSeconds === 0 ? 'recorded clock' : `clock ${rewrite.shiftSeconds >= 0 ? '+' : ''}${rewrite.shiftSeconds} s`;
    this.logger.log(`round ${round + 1}${rounds}: ${source.name} (${source.blocks.length} events), ${ids}, ${clock}`);
    this.emit('segment', { round, recording: source.name, rewrite });
  }

  private advance(): void {
    const c = this.cursor;
    if (++c.block < this.recordings[c.recording].blocks.length) return;
    c.block = 0;
    if (++c.recording < this.recordings.length) return;
    c.recording = 0;
    c.round++;
  }

  /** Waits until every one of these sockets can take more (or is gone); says so when one of them stalls the stream. */
  private async drained(sessions: Session[]): Promise<void> {
    const stalled = setTimeout(() => {
      const who = sessions.filter((s) => s.socket.writableNeedDrain && !s.closed).map((s) => `client ${s.id} (${s.remote})`);
      if (who.length > 0) this.logger.warn(`${who.join(', ')} has read nothing for ${STALL_WARNING_MS / 1000} s: the stream waits for it`);
    }, STALL_WARNING_MS);
    try {
      await Promise.all(sessions.map((s) => drainOrClose(s.socket)));
    } finally {
      clearTimeout(stalled);
    }
  }

  /** The stream's clock (epoch seconds): the last event's Timestamp, running on at `speed` while streaming. */
  private streamClock(): number {
    if (this.lastTimestamp === null) return Date.now() / 1000;
    const speed = this.options.speed ?? 0;
    const elapsed = this.running && speed > 0 ? ((Date.now() - this.lastSentAt) / 1000) * speed : 0;
    return this.lastTimestamp + elapsed;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** Resolves when a socket whose write returned false can take more (or is gone). */
export function drainOrClose(socket: Socket): Promise<void> {
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
