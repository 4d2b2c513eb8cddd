/**
 * A SIP user agent over UDP on 127.0.0.1: a desk phone or the PSTN trunk of the live suite.
 *
 * It speaks to the real Asterisk as a phone does — REGISTER with digest auth, answers INVITEs
 * the way a test tells it (ring and answer after N ms, stay silent, 486 busy, 603 decline),
 * places calls (INVITE with auth, CANCEL, BYE), transfers (REFER, blind or with Replaces) —
 * and records what it saw: when each INVITE came, its From display name, answers, CANCELs and
 * BYEs. Retransmissions follow RFC 3261 timers (T1 = 500 ms) so nothing depends on luck.
 */
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import {
  cseqOf,
  digestAuthorization,
  displayNameOf,
  header,
  hostPortOf,
  newBranch,
  newCallId,
  newTag,
  parseSip,
  responseTo,
  sdp,
  serialize,
  tagOf,
  uriOf,
  userOf,
  type Outgoing,
  type SipMessage,
} from './sip-message';

export type IncomingBehaviour =
  | { kind: 'answer'; afterMs: number; hangUpAfterMs?: number }
  | { kind: 'silent' }
  | { kind: 'busy' }
  | { kind: 'decline' };

export type SipEventType =
  | 'invite' // an INVITE arrived (a new call ringing this agent)
  | 'ringing' // our outgoing call got 180/183
  | 'answered' // our outgoing call got 200, or we answered an incoming one
  | 'rejected' // we answered an incoming INVITE with 486/603, or our call got a final error
  | 'cancel' // the far end cancelled an incoming call
  | 'cancelled' // we cancelled our outgoing call
  | 'bye-received'
  | 'bye-sent'
  | 'refer-sent'
  | 'dtmf' // we pressed digits (RFC 4733) on an answered call
  | 'notify';

export interface SipEvent {
  type: SipEventType;
  /** Date.now() when it happened. */
  at: number;
  callId: string;
  /** INVITE: the From header, its display name and user part; also the Request-URI user. */
  from?: string;
  display?: string;
  fromUser?: string;
  toUser?: string;
  status?: number;
  /** Everything else worth keeping (e.g. NOTIFY sipfrag body). */
  detail?: string;
}

export interface AgentOptions {
  /** Name used in logs and in From/Contact (the extension for phones). */
  user: string;
  /** Asterisk's SIP address (may be set later, before the first request). */
  server: { host: string; port: number };
  /** Local UDP port (default: any free one). */
  port?: number;
  /** Digest credentials (desk phones); the trunk has none. */
  password?: string;
  /** Display name sent in From on calls this agent places. */
  displayName?: string;
}

type DialogState = 'early' | 'confirmed' | 'ended';

export class SipCall extends EventEmitter {
  state: DialogState = 'early';
  remoteTag = '';
  remoteTarget: string;
  localSeq = 1;
  status = 0;
  answeredAt: number | null = null;
  endedAt: number | null = null;
  /** The INVITE that opened it (incoming calls), or the last one we sent (outgoing). */
  invite: Outgoing | SipMessage | null = null;
  inviteBranch = '';
  inviteSeq = 1;
  timers: NodeJS.Timeout[] = [];
  /** We sent CANCEL (or want to end it as soon as it is answered). */
  pendingCancel = false;
  /** We sent a REFER on this dialog (a transfer). */
  referred = false;
  authTried = false;
  /** Incoming: the ACK to our 200 arrived. */
  acked = false;
  /** Incoming: where responses go (top Via). */
  reply: { host: string; port: number } | null = null;
  /** Where the far end wants our RTP (from its SDP). */
  remoteMedia: { host: string; port: number } | null = null;
  private rtp: NodeJS.Timeout | null = null;

  /** One RTP stream per call (tone and DTMF share its sequence, timestamp and SSRC, as a phone's do). */
  private rtpSeq = 0;
  private rtpTimestamp = 0;
  private readonly ssrc = Math.floor(Math.random() * 0xffffffff);
  /** While a DTMF digit is sent, the tone pauses (RFC 4733: the event replaces the audio). */
  private dtmfBusy = false;

  /** Sends a 440 Hz tone as PCMU RTP every 20 ms until the call ends (a caller speaking, e.g. a voicemail message). */
  startAudio(socket: { send(data: Buffer, port: number, host: string): void }): void {
    if (this.rtp || !this.remoteMedia) return;
    const media = this.remoteMedia;
    let phase = 0;
    this.rtp = setInterval(() => {
      if (this.state === 'ended') return this.stopAudio();
      if (this.dtmfBusy) return;
      const payload = Buffer.alloc(160);
      for (let i = 0; i < 160; i += 1) {
        payload[i] = linearToUlaw(Math.round(8000 * Math.sin(phase)));
        phase += (2 * Math.PI * 440) / 8000;
      }
      socket.send(this.rtpPacket(0, false, payload), media.port, media.host);
      this.rtpTimestamp += 160;
    }, 20);
  }

  /**
   * Presses `digits` as RFC 4733 telephone-events (payload 101, offered in our SDP): per digit
   * 100 ms of event packets, then the end packet three times, 100 ms apart between digits.
   */
  async sendDtmf(socket: { send(data: Buffer, port: number, host: string): void }, digits: string): Promise<void> {
    const media = this.remoteMedia;
    if (!media || this.state !== 'confirmed') throw new Error(`call ${this.callId}: DTMF needs an answered call with media`);
    const events: Record<string, number> = { '*': 10, '#': 11, A: 12, B: 13, C: 14, D: 15 };
    const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));
    for (const digit of digits) {
      const code = /^\d$/.test(digit) ? Number(digit) : events[digit.toUpperCase()];
      if (code === undefined) throw new Error(`not a DTMF digit: ${JSON.stringify(digit)}`);
      this.dtmfBusy = true;
      const timestamp = this.rtpTimestamp;
      const event = (duration: number, end: boolean): Buffer => {
        const payload = Buffer.alloc(4);
        payload[0] = code;
        payload[1] = (end ? 0x80 : 0) | 10; // E bit, volume -10 dBm0
        payload.writeUInt16BE(duration, 2);
        return payload;
      };
      for (let step = 1; step <= 5; step += 1) {
        socket.send(this.rtpPacket(101, step === 1, event(step * 160, false), timestamp), media.port, media.host);
        await tick();
      }
      for (let copy = 0; copy < 3; copy += 1) socket.send(this.rtpPacket(101, false, event(6 * 160, true), timestamp), media.port, media.host);
      this.rtpTimestamp += 6 * 160;
      this.dtmfBusy = false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private rtpPacket(payloadType: number, marker: boolean, payload: Buffer, timestamp = this.rtpTimestamp): Buffer {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (marker ? 0x80 : 0) | payloadType;
    header.writeUInt16BE(this.rtpSeq++ & 0xffff, 2);
    header.writeUInt32BE(timestamp >>> 0, 4);
    header.writeUInt32BE(this.ssrc >>> 0, 8);
    return Buffer.concat([header, payload]);
  }

  stopAudio(): void {
    if (this.rtp) clearInterval(this.rtp);
    this.rtp = null;
  }

  constructor(
    readonly agent: SipAgent,
    readonly direction: 'incoming' | 'outgoing',
    readonly callId: string,
    readonly localTag: string,
    /** Our From (outgoing) / To (incoming) value, without tag. */
    readonly localUri: string,
    /** The other side's header value as it appears in our From/To (without tag). */
    readonly remoteUri: string,
    remoteTarget: string,
  ) {
    super();
    this.remoteTarget = remoteTarget;
  }

  /** Resolves once the call is answered (true) or ends unanswered (false). */
  answered(timeoutMs = 60_000): Promise<boolean> {
    if (this.answeredAt !== null) return Promise.resolve(true);
    if (this.state === 'ended') return Promise.resolve(false);
    return this.agent.waitUntil(() => this.answeredAt !== null || this.state === 'ended', timeoutMs, `${this.agent.user}: call ${this.callId} answered or ended`).then(() => this.answeredAt !== null);
  }

  /** Resolves once the call has ended. */
  ended(timeoutMs = 60_000): Promise<void> {
    return this.agent.waitUntil(() => this.state === 'ended', timeoutMs, `${this.agent.user}: call ${this.callId} ended`);
  }

  /** Hang up: CANCEL while our outgoing call rings, BYE once it is answered; an incoming ringing call is declined. */
  hangUp(): void {
    this.agent.hangUp(this);
  }

  /** Presses DTMF digits on this answered call (RFC 4733 RTP events). */
  dtmf(digits: string): Promise<void> {
    return this.agent.dtmf(this, digits);
  }

  /** REFER this dialog's far end to `target` (blind), or to the other call `replaces` (attended). */
  refer(target: string, replaces?: SipCall): Promise<number> {
    return this.agent.refer(this, target, replaces);
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    this.stopAudio();
  }
}

/** G.711 µ-law of a 16-bit sample. */
function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = 0;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** The audio address of an SDP body (`c=` and `m=audio`). */
function mediaOf(body: string): { host: string; port: number } | null {
  const host = /^c=IN IP4 (\S+)/m.exec(body)?.[1];
  const port = /^m=audio (\d+)/m.exec(body)?.[1];
  return host && port ? { host, port: Number(port) } : null;
}

interface ClientTransaction {
  branch: string;
  method: string;
  text: string;
  to: { host: string; port: number };
  timer: NodeJS.Timeout | null;
  interval: number;
  startedAt: number;
  done: boolean;
  onResponse: (response: SipMessage) => void;
}

const T1 = 500;
const T2 = 4000;
const TIMER_B = 32_000;

export class SipAgent {
  readonly events: SipEvent[] = [];
  readonly calls = new Map<string, SipCall>();
  behaviour: IncomingBehaviour = { kind: 'answer', afterMs: 1000 };
  /** Calls this agent takes part in carry a tone (RTP) once answered. */
  sendsAudio = false;
  port = 0;
  private socket: Socket | null = null;
  private media: Socket | null = null;
  private mediaPort = 0;
  private readonly transactions = new Map<string, ClientTransaction>();
  /** Server side: the last response per request branch (answers retransmitted requests). */
  private readonly lastResponses = new Map<string, string>();
  private readonly changed = new EventEmitter();
  private registered = false;
  private sessionId = Math.floor(Math.random() * 1e9);

  private constructor(private readonly options: AgentOptions) {
    this.changed.setMaxListeners(1000);
  }

  get user(): string {
    return this.options.user;
  }

  /** Points the agent at Asterisk (the trunk starts before the PBX, whose config needs its port). */
  set server(server: { host: string; port: number }) {
    this.options.server = server;
  }

  get contact(): string {
    return `<sip:${this.options.user}@127.0.0.1:${this.port}>`;
  }

  static async start(options: AgentOptions): Promise<SipAgent> {
    const agent = new SipAgent(options);
    await agent.bind();
    return agent;
  }

  private async bind(): Promise<void> {
    const socket = createSocket('udp4');
    const media = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve, reject) => {
      media.once('error', reject);
      media.bind(0, '127.0.0.1', () => resolve());
    });
    socket.on('error', () => undefined);
    media.on('error', () => undefined);
    media.on('message', () => undefined); // RTP from Asterisk: received and dropped
    socket.on('message', (data, rinfo) => this.onDatagram(data.toString('utf8'), { host: rinfo.address, port: rinfo.port }));
    this.socket = socket;
    this.media = media;
    this.port = socket.address().port;
    this.mediaPort = media.address().port;
  }

  async close(): Promise<void> {
    for (const call of this.calls.values()) call.clearTimers();
    for (const transaction of this.transactions.values()) if (transaction.timer) clearTimeout(transaction.timer);
    this.transactions.clear();
    const sockets = [this.socket, this.media];
    this.socket = null;
    this.media = null;
    await Promise.all(sockets.map((s) => (s ? new Promise<void>((resolve) => s.close(() => resolve())) : Promise.resolve())));
  }

  /** Events of one type (optionally since a time). */
  seen(type: SipEventType, since = 0): SipEvent[] {
    return this.events.filter((event) => event.type === type && event.at >= since);
  }

  /** Waits until `predicate` holds (checked on every SIP event and every 100 ms). */
  waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const poll = setInterval(check, 100);
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearInterval(poll);
        clearTimeout(timer);
        this.changed.off('event', check);
      };
      this.changed.on('event', check);
    });
  }

  /** The next INVITE to arrive after `since` (Date.now()). */
  async nextInvite(since: number, timeoutMs: number): Promise<SipEvent> {
    await this.waitUntil(() => this.seen('invite', since).length > 0, timeoutMs, `${this.user}: an INVITE`);
    return this.seen('invite', since)[0];
  }

  private record(event: Omit<SipEvent, 'at'>): void {
    this.events.push({ ...event, at: Date.now() });
    this.changed.emit('event');
  }

  // ------------------------------------------------------------------ registration

  /** REGISTER this phone's contact (digest auth), `expires` seconds; 0 removes it. */
  async register(expires = 600): Promise<void> {
    const { server } = this.options;
    const uri = `sip:${server.host}:${server.port}`;
    const callId = newCallId();
    const tag = newTag();
    let seq = 1;
    let authorization: string | null = null;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const text = serialize({
        start: `REGISTER ${uri} SIP/2.0`,
        headers: [
          ['Via', this.via(newBranch())],
          ['Max-Forwards', '70'],
          ['From', `<sip:${this.user}@${server.host}>;tag=${tag}`],
          ['To', `<sip:${this.user}@${server.host}>`],
          ['Call-ID', callId],
          ['CSeq', `${seq} REGISTER`],
          ['Contact', expires > 0 ? this.contact : '*'],
          ['Expires', String(expires)],
          ['User-Agent', 'switchboard-live-phone'],
          ...(authorization ? ([['Authorization', authorization]] as [string, string][]) : []),
        ],
      });
      const response = await this.request('REGISTER', text, server);
      if (response.status === 200) {
        this.registered = expires > 0;
        return;
      }
      if (response.status === 401 && this.options.password !== undefined) {
        authorization = digestAuthorization(header(response, 'www-authenticate'), 'REGISTER', uri, this.user, this.options.password);
        seq += 1;
        continue;
      }
      throw new Error(`${this.user}: REGISTER answered ${response.status} ${response.reason}`);
    }
    throw new Error(`${this.user}: REGISTER not accepted`);
  }

  async unregister(): Promise<void> {
    if (this.registered) await this.register(0);
  }

  // ------------------------------------------------------------------ placing calls

  /**
   * Calls `target` (the Request-URI user at Asterisk) showing `from`/`display` as the caller.
   * Desk phones authenticate; the trunk is identified by its address.
   */
  call(target: string, options: { from?: string; display?: string; extraHeaders?: [string, string][] } = {}): SipCall {
    const { server } = this.options;
    const from = options.from ?? this.user;
    const display = options.display ?? this.options.displayName;
    const localUri = `${display ? `"${display}" ` : ''}<sip:${from}@127.0.0.1:${this.port}>`;
    const remoteUri = `<sip:${target}@${server.host}:${server.port}>`;
    const call = new SipCall(this, 'outgoing', newCallId(), newTag(), localUri, remoteUri, `sip:${target}@${server.host}:${server.port}`);
    this.calls.set(call.callId, call);
    this.sendInvite(call, null, options.extraHeaders ?? []);
    return call;
  }

  private sendInvite(call: SipCall, authorization: [string, string] | null, extraHeaders: [string, string][]): void {
    const { server } = this.options;
    const branch = newBranch();
    call.inviteBranch = branch;
    call.inviteSeq = call.localSeq;
    const invite: Outgoing = {
      start: `INVITE ${call.remoteTarget} SIP/2.0`,
      headers: [
        ['Via', this.via(branch)],
        ['Max-Forwards', '70'],
        ['From', `${call.localUri};tag=${call.localTag}`],
        ['To', call.remoteUri],
        ['Call-ID', call.callId],
        ['CSeq', `${call.localSeq} INVITE`],
        ['Contact', this.contact],
        ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, UPDATE, INFO'],
        ['Supported', 'replaces'],
        ['User-Agent', 'switchboard-live-phone'],
        ...extraHeaders,
        ...(authorization ? [authorization] : []),
      ],
      body: sdp(this.mediaPort, this.sessionId++),
    };
    call.invite = invite;
    const text = serialize(invite);
    this.startTransaction('INVITE', branch, text, server, (response) => this.onInviteResponse(call, response, extraHeaders));
  }

  private onInviteResponse(call: SipCall, response: SipMessage, extraHeaders: [string, string][]): void {
    const { server } = this.options;
    if (response.status < 200) {
      if ((response.status === 180 || response.status === 183) && call.status < 180) {
        call.status = response.status;
        this.record({ type: 'ringing', callId: call.callId, status: response.status });
      }
      return;
    }
    if (response.status >= 200 && response.status < 300) {
      // 2xx (possibly retransmitted): ACK it end to end, with a new branch.
      const first = call.answeredAt === null && call.state === 'early';
      if (first) {
        call.remoteMedia = mediaOf(response.body);
        call.remoteTag = tagOf(header(response, 'to'));
        const contact = header(response, 'contact');
        if (contact) call.remoteTarget = uriOf(contact);
      }
      this.sendRaw(
        serialize({
          start: `ACK ${call.remoteTarget} SIP/2.0`,
          headers: [
            ['Via', this.via(newBranch())],
            ['Max-Forwards', '70'],
            ['From', `${call.localUri};tag=${call.localTag}`],
            ['To', header(response, 'to')],
            ['Call-ID', call.callId],
            ['CSeq', `${cseqOf(response).seq} ACK`],
          ],
        }),
        hostPortOf(call.remoteTarget),
      );
      if (first) {
        if (call.pendingCancel) {
          // We cancelled but it was answered meanwhile: end it with a BYE.
          call.state = 'confirmed';
          call.answeredAt = Date.now();
          this.sendBye(call);
          return;
        }
        call.state = 'confirmed';
        call.status = response.status;
        call.answeredAt = Date.now();
        this.record({ type: 'answered', callId: call.callId, status: response.status });
        if (this.sendsAudio && this.media) call.startAudio(this.media);
      }
      return;
    }
    // Final error: ACK in the INVITE's transaction (same branch, the response's To).
    this.sendRaw(
      serialize({
        start: `ACK ${uriOf(call.remoteUri)} SIP/2.0`,
        headers: [
          ['Via', this.via(call.inviteBranch)],
          ['Max-Forwards', '70'],
          ['From', `${call.localUri};tag=${call.localTag}`],
          ['To', header(response, 'to')],
          ['Call-ID', call.callId],
          ['CSeq', `${call.inviteSeq} ACK`],
        ],
      }),
      server,
    );
    if ((response.status === 401 || response.status === 407) && this.options.password !== undefined && !call.authTried && call.state === 'early') {
      call.authTried = true;
      call.localSeq += 1;
      const challenge = header(response, response.status === 401 ? 'www-authenticate' : 'proxy-authenticate');
      const value = digestAuthorization(challenge, 'INVITE', call.remoteTarget, this.user, this.options.password);
      this.sendInvite(call, [response.status === 401 ? 'Authorization' : 'Proxy-Authorization', value], extraHeaders);
      return;
    }
    if (call.state !== 'ended') {
      call.status = response.status;
      this.record({ type: call.pendingCancel ? 'cancelled' : 'rejected', callId: call.callId, status: response.status });
      this.end(call);
    }
  }

  dtmf(call: SipCall, digits: string): Promise<void> {
    if (!this.media) throw new Error(`${this.user}: closed`);
    this.record({ type: 'dtmf', callId: call.callId, detail: digits });
    return call.sendDtmf(this.media, digits);
  }

  hangUp(call: SipCall): void {
    if (call.state === 'ended') return;
    if (call.state === 'confirmed') {
      this.sendBye(call);
      return;
    }
    if (call.direction === 'outgoing') {
      if (call.pendingCancel) return;
      call.pendingCancel = true;
      const { server } = this.options;
      const text = serialize({
        start: `CANCEL ${uriOf(call.remoteUri)} SIP/2.0`,
        headers: [
          ['Via', this.via(call.inviteBranch)],
          ['Max-Forwards', '70'],
          ['From', `${call.localUri};tag=${call.localTag}`],
          ['To', call.remoteUri],
          ['Call-ID', call.callId],
          ['CSeq', `${call.inviteSeq} CANCEL`],
        ],
      });
      this.startTransaction('CANCEL', call.inviteBranch, text, server, () => undefined);
      return;
    }
    // Incoming and still ringing: decline it.
    const invite = call.invite as SipMessage;
    call.clearTimers();
    this.respond(invite, 603, 'Decline', call.localTag);
    this.record({ type: 'rejected', callId: call.callId, status: 603 });
    this.end(call);
  }

  private sendBye(call: SipCall): void {
    call.localSeq += 1;
    const text = serialize({ start: `BYE ${call.remoteTarget} SIP/2.0`, headers: this.dialogHeaders(call, 'BYE') });
    this.record({ type: 'bye-sent', callId: call.callId });
    this.end(call);
    this.startTransaction('BYE', this.lastBranch, text, hostPortOf(call.remoteTarget), () => undefined);
  }

  /** In-dialog REFER; resolves with the REFER's final status (202 when accepted). */
  refer(call: SipCall, target: string, replaces?: SipCall): Promise<number> {
    const { server } = this.options;
    let referTo = `<sip:${target}@${server.host}:${server.port}>`;
    if (replaces) {
      const value = `${replaces.callId};to-tag=${replaces.remoteTag};from-tag=${replaces.localTag}`;
      referTo = `<sip:${target}@${server.host}:${server.port}?Replaces=${encodeURIComponent(value)}>`;
    }
    call.localSeq += 1;
    const text = serialize({
      start: `REFER ${call.remoteTarget} SIP/2.0`,
      headers: [...this.dialogHeaders(call, 'REFER'), ['Refer-To', referTo], ['Referred-By', `<sip:${this.user}@127.0.0.1:${this.port}>`]],
    });
    call.referred = true;
    this.record({ type: 'refer-sent', callId: call.callId, detail: referTo });
    return new Promise((resolve) => {
      this.startTransaction('REFER', this.lastBranch, text, hostPortOf(call.remoteTarget), (response) => {
        if (response.status >= 200) resolve(response.status);
      });
    });
  }

  private lastBranch = '';

  private dialogHeaders(call: SipCall, method: string): [string, string][] {
    this.lastBranch = newBranch();
    const local = `${call.localUri};tag=${call.localTag}`;
    const remote = call.remoteTag ? `${call.remoteUri};tag=${call.remoteTag}` : call.remoteUri;
    return [
      ['Via', this.via(this.lastBranch)],
      ['Max-Forwards', '70'],
      ['From', local],
      ['To', remote],
      ['Call-ID', call.callId],
      ['CSeq', `${call.localSeq} ${method}`],
      ['Contact', this.contact],
    ];
  }

  // ------------------------------------------------------------------ receiving

  private onDatagram(text: string, from: { host: string; port: number }): void {
    const message = parseSip(text);
    if (!message) return;
    if (message.method === null) {
      const branch = /branch=([^;,\s]+)/i.exec(header(message, 'via'))?.[1] ?? '';
      const transaction = this.transactions.get(`${branch}|${cseqOf(message).method}`);
      if (!transaction) {
        // A retransmitted 2xx to an INVITE whose transaction is over: ACK it again.
        const call = this.calls.get(header(message, 'call-id'));
        if (call && cseqOf(message).method === 'INVITE' && message.status >= 200 && message.status < 300) this.onInviteResponse(call, message, []);
        return;
      }
      if (message.status >= 200 || transaction.method === 'INVITE') {
        if (transaction.timer) clearTimeout(transaction.timer);
        transaction.timer = null;
      }
      if (message.status >= 200) {
        transaction.done = true;
        if (transaction.method !== 'INVITE') this.transactions.delete(`${transaction.branch}|${transaction.method}`);
      }
      transaction.onResponse(message);
      return;
    }
    const branch = /branch=([^;,\s]+)/i.exec(header(message, 'via'))?.[1] ?? '';
    const key = `${branch}|${message.method}`;
    const previous = this.lastResponses.get(key);
    if (previous && message.method !== 'ACK') {
      this.sendRaw(previous, this.replyAddress(message, from));
      return;
    }
    switch (message.method) {
      case 'INVITE':
        this.onInvite(message, from);
        break;
      case 'ACK':
        this.onAck(message);
        break;
      case 'CANCEL':
        this.onCancel(message, from);
        break;
      case 'BYE':
        this.onBye(message, from);
        break;
      case 'NOTIFY': {
        this.respond(message, 200, 'OK', null, from);
        const callId = header(message, 'call-id');
        this.record({ type: 'notify', callId, detail: message.body.trim() });
        // A transfer we asked for (REFER) succeeded: as phones do, leave the call (RFC 5589).
        const call = this.calls.get(callId);
        if (call?.referred && /^SIP\/2\.0 2\d\d/.test(message.body.trim()) && call.state === 'confirmed') this.sendBye(call);
        break;
      }
      default:
        // OPTIONS (qualify), UPDATE, INFO, MESSAGE, REFER towards a phone: accept.
        this.respond(message, 200, 'OK', null, from);
    }
  }

  private onInvite(invite: SipMessage, from: { host: string; port: number }): void {
    const callId = header(invite, 'call-id');
    const existing = this.calls.get(callId);
    if (existing && tagOf(header(invite, 'to'))) {
      // re-INVITE in a dialog: accept with our media.
      this.respond(invite, 200, 'OK', null, from, [['Contact', this.contact]], sdp(this.mediaPort, this.sessionId++));
      return;
    }
    if (existing) return; // a retransmission before we answered anything
    const fromValue = header(invite, 'from');
    const call = new SipCall(this, 'incoming', callId, newTag(), header(invite, 'to'), fromValue.replace(/;\s*tag=[^;]+/i, ''), uriOf(header(invite, 'contact')) || `sip:${from.host}:${from.port}`);
    call.remoteTag = tagOf(fromValue);
    call.remoteMedia = mediaOf(invite.body);
    call.invite = invite;
    call.reply = this.replyAddress(invite, from);
    this.calls.set(callId, call);
    this.record({
      type: 'invite',
      callId,
      from: fromValue,
      display: displayNameOf(fromValue),
      fromUser: userOf(fromValue),
      toUser: userOf(invite.uri) || userOf(header(invite, 'to')),
    });
    const behaviour = this.behaviour;
    this.respond(invite, 100, 'Trying', null, call.reply);
    if (behaviour.kind === 'busy' || behaviour.kind === 'decline') {
      const [status, reason] = behaviour.kind === 'busy' ? [486, 'Busy Here'] : [603, 'Decline'];
      this.respond(invite, status, reason, call.localTag, call.reply);
      this.record({ type: 'rejected', callId, status });
      this.end(call);
      return;
    }
    this.respond(invite, 180, 'Ringing', call.localTag, call.reply, [['Contact', this.contact]]);
    if (behaviour.kind === 'answer') {
      call.timers.push(setTimeout(() => this.answer(call, behaviour.hangUpAfterMs), behaviour.afterMs));
    }
  }

  /** Answers an incoming ringing call now (tests may also call it directly). */
  answer(call: SipCall, hangUpAfterMs?: number): void {
    if (call.state !== 'early' || call.direction !== 'incoming') return;
    const invite = call.invite as SipMessage;
    const ok = serialize(responseTo(invite, 200, 'OK', call.localTag, [['Contact', this.contact], ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, UPDATE, INFO'], ['Supported', 'replaces']], sdp(this.mediaPort, this.sessionId++)));
    call.state = 'confirmed';
    call.answeredAt = Date.now();
    this.record({ type: 'answered', callId: call.callId, status: 200 });
    if (this.sendsAudio && this.media) call.startAudio(this.media);
    const address = call.reply ?? hostPortOf(call.remoteTarget);
    // Retransmit the 200 until the ACK (T1 doubling up to T2, Timer H 32 s).
    let interval = T1;
    const started = Date.now();
    const send = (): void => {
      if (call.acked || call.state === 'ended' || Date.now() - started > TIMER_B) return;
      this.sendRaw(ok, address);
      call.timers.push(setTimeout(send, interval));
      interval = Math.min(interval * 2, T2);
    };
    send();
    if (hangUpAfterMs !== undefined) call.timers.push(setTimeout(() => this.hangUp(call), hangUpAfterMs));
  }

  private onAck(ack: SipMessage): void {
    const call = this.calls.get(header(ack, 'call-id'));
    if (call) call.acked = true;
  }

  private onCancel(cancel: SipMessage, from: { host: string; port: number }): void {
    const call = this.calls.get(header(cancel, 'call-id'));
    this.respond(cancel, 200, 'OK', call?.localTag ?? newTag(), from);
    if (!call || call.state !== 'early') return;
    call.clearTimers();
    this.respond(call.invite as SipMessage, 487, 'Request Terminated', call.localTag, call.reply ?? from);
    this.record({ type: 'cancel', callId: call.callId });
    this.end(call);
  }

  private onBye(bye: SipMessage, from: { host: string; port: number }): void {
    const call = this.calls.get(header(bye, 'call-id'));
    this.respond(bye, 200, 'OK', null, from);
    if (!call || call.state === 'ended') return;
    this.record({ type: 'bye-received', callId: call.callId });
    this.end(call);
  }

  private end(call: SipCall): void {
    call.clearTimers();
    if (call.state === 'ended') return;
    call.state = 'ended';
    call.endedAt = Date.now();
    this.changed.emit('event');
  }

  // ------------------------------------------------------------------ plumbing

  private via(branch: string): string {
    return `SIP/2.0/UDP 127.0.0.1:${this.port};rport;branch=${branch}`;
  }

  /** Where a response goes: the top Via's received/rport, else the source. */
  private replyAddress(request: SipMessage, from: { host: string; port: number }): { host: string; port: number } {
    const via = header(request, 'via');
    const sentBy = /SIP\/2\.0\/UDP\s+([^;:\s]+)(?::(\d+))?/i.exec(via);
    const rport = /;rport=(\d+)/i.exec(via)?.[1];
    if (rport) return { host: from.host, port: Number(rport) };
    if (sentBy) return { host: sentBy[1], port: Number(sentBy[2] ?? 5060) };
    return from;
  }

  private respond(request: SipMessage, status: number, reason: string, toTag: string | null, to?: { host: string; port: number }, extra: [string, string][] = [], body?: string): void {
    const text = serialize(responseTo(request, status, reason, toTag, extra, body));
    const branch = /branch=([^;,\s]+)/i.exec(header(request, 'via'))?.[1] ?? '';
    if (status >= 200) this.lastResponses.set(`${branch}|${request.method}`, text);
    this.sendRaw(text, to ?? this.options.server);
  }

  private request(method: string, text: string, to: { host: string; port: number }): Promise<SipMessage> {
    const branch = /branch=([^;,\s]+)/i.exec(text)?.[1] ?? newBranch();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.user}: no answer to ${method}`)), TIMER_B);
      this.startTransaction(method, branch, text, to, (response) => {
        if (response.status < 200) return;
        clearTimeout(timer);
        resolve(response);
      });
    });
  }

  /** Sends a request and retransmits it per RFC 3261 until a (final, for non-INVITE) response. */
  private startTransaction(method: string, branch: string, text: string, to: { host: string; port: number }, onResponse: (response: SipMessage) => void): void {
    const transaction: ClientTransaction = { branch, method, text, to, timer: null, interval: T1, startedAt: Date.now(), done: false, onResponse };
    this.transactions.set(`${branch}|${method}`, transaction);
    const send = (): void => {
      if (transaction.done || !this.socket) return;
      this.sendRaw(text, to);
      if (Date.now() - transaction.startedAt > TIMER_B) return;
      transaction.timer = setTimeout(send, transaction.interval);
      transaction.interval = method === 'INVITE' ? transaction.interval * 2 : Math.min(transaction.interval * 2, T2);
    };
    send();
  }

  private sendRaw(text: string, to: { host: string; port: number }): void {
    this.socket?.send(Buffer.from(text, 'utf8'), to.port, to.host);
  }
}

