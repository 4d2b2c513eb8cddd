/**
 * AmiClient — our one adapter to the Asterisk Manager Interface, and the only importer of
 * `asterisk-manager`.
 *
 * Decision on asterisk-manager (0.2.0): its only public surface is a factory that opens its own
 * TCP socket and parses it with its own reader (~25k events/s against ~84k for a plain splitter,
 * keys lower-cased, repeated keys turned into arrays). Nothing is exported that could format an
 * action or parse bytes we own. Routing our session through it would bring back its defects
 * (no timeouts, actions lost on a dead socket, CR/LF injection, silent login failure, fixed
 * reconnect, no heartbeat, lists answered before their items, `Event: off` sent instead of
 * `Events: off` so the mask is ignored) and would put resync lists on a different session from
 * the event stream, so a CoreShowChannels snapshot could not be ordered against live events.
 * So the main session is ours: a net.Socket, AmiFrameParser, our Login/Ping/lists/actions.
 *
 * The library is used minimally, where a separate session genuinely helps: a *synchronous*
 * Originate (no `Async: true`) blocks the AMI session that sent it — Asterisk delivers nothing
 * else to that session until the call is answered or times out. Such an Originate runs on a
 * short-lived asterisk-manager session of its own (connect, login, action, disconnect), wrapped
 * in our sanitiser and timeout, so the event session keeps flowing. Its response comes back with
 * the library's key spelling normalised to `Response`/`ActionID`/`Message` (other keys: first
 * letter upper-cased). Everything else goes over the main session.
 */
import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import AsteriskManager = require('asterisk-manager');
import { AmiFrameParser, type AmiFrameProblem, type AmiMessage } from './ami-frame-parser';
import {
  actionHeaders,
  actionIdGenerator,
  backoffDelay,
  formatAction,
  type AmiActionFields,
  type BackoffOptions,
} from './ami-action';

export type { AmiActionFields } from './ami-action';

export interface AmiLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/**
 * `on`/`off`, or a filter: an event mask for Login (e.g. `call,dialplan,cdr`) and event names kept
 * via the Filter action after login (prefer `eventfilter` in manager.conf: Filter needs `system`).
 */
export type AmiEventsOption = 'on' | 'off' | { mask?: string; include?: readonly string[] };

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  /** Per action, counted from when it was issued (queued time included). Default 10 s. */
  actionTimeoutMs?: number;
  /** Ping every this many ms while connected; 0 turns the heartbeat off. Default 15 s. */
  heartbeatIntervalMs?: number;
  /** A Ping unanswered for this long kills the link. Default: actionTimeoutMs. */
  heartbeatTimeoutMs?: number;
  reconnect?: Partial<BackoffOptions>;
  events?: AmiEventsOption;
  /** Actions waiting for a connection; more are rejected at once. Default 100. */
  maxQueuedActions?: number;
  maxMessageChars?: number;
  logger?: AmiLogger;
}

export type AmiClientState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface AmiListResult {
  response: AmiMessage;
  items: AmiMessage[];
}

export interface AmiProblem extends AmiFrameProblem {
  connection: number;
}

export interface AmiClientEvents {
  message: [AmiMessage];
  connected: [{ connection: number }];
  disconnected: [{ reason: string }];
  loginFailed: [{ message: string; attempt: number }];
  problem: [AmiProblem];
}

interface PendingAction {
  id: string;
  action: string;
  text: string;
  list: boolean;
  written: boolean;
  internal: boolean;
  timer: NodeJS.Timeout;
  response?: AmiMessage;
  items: AmiMessage[];
  settle(error: Error | null, result?: AmiListResult): void;
}

const SILENT_LOGGER: AmiLogger = { log() {}, warn() {}, error() {}, debug() {} };

export class AmiClient extends EventEmitter<AmiClientEvents> {
  eventsReceived = 0;
  reconnects = 0;
  lastEventAt: Date | null = null;
  private currentState: AmiClientState = 'idle';
  private connections = 0;
  private failedAttempts = 0;
  private socket: Socket | null = null;
  private parser = new AmiFrameParser();
  private inbox: AmiMessage[] = [];
  private inboxAt = 0;
  private yielding = false;
  private readonly pending = new Map<string, PendingAction>();
  private queue: PendingAction[] = [];
  private loginTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastError = '';
  private readonly nextActionId = actionIdGenerator();
  private readonly logger: AmiLogger;
  private readonly backoff: BackoffOptions;
  private readonly actionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly maxQueuedActions: number;

  constructor(private readonly options: AmiClientOptions) {
    super();
    this.logger = options.logger ?? SILENT_LOGGER;
    this.actionTimeoutMs = options.actionTimeoutMs ?? 10_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 15_000;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? this.actionTimeoutMs;
    this.maxQueuedActions = options.maxQueuedActions ?? 100;
    this.backoff = {
      minMs: options.reconnect?.minMs ?? 500,
      maxMs: options.reconnect?.maxMs ?? 30_000,
      jitter: options.reconnect?.jitter ?? 0.2,
    };
  }

  get state(): AmiClientState {
    return this.currentState;
  }

  /** Successful logins so far (the `connection` number of the last `connected` event). */
  get connectionCount(): number {
    return this.connections;
  }

  /** Starts connecting (idempotent). Never throws for AMI trouble: it logs, emits and retries. */
  start(): void {
    if (this.currentState !== 'idle') return;
    this.openSocket();
  }

  /** Sends one action; resolves with its response (an `Error` response too — check `Response`). */
  action(fields: AmiActionFields): Promise<AmiMessage> {
    if (isBlockingOriginate(fields)) return this.actionOnOwnSession(fields);
    return this.request(fields, false).then((result) => result.response);
  }

  /**
   * Sends a list action (CoreShowChannels, Status, DBGet, ...) and collects its items until the
   * event with `EventList: Complete`. Items are not emitted as `message`. An `Error` response
   * rejects.
   */
  listAction(fields: AmiActionFields): Promise<AmiListResult> {
    return this.request(fields, true);
  }

  /** Stops reconnecting, rejects what is pending, logs off and closes the socket. */
  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    const wasConnected = this.currentState === 'connected';
    this.currentState = 'closed';
    this.clearTimers();
    this.failAll(new Error('AMI client closed'), true);
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      if (wasConnected && socket.writable) {
        socket.end(formatAction({ Action: 'Logoff' }, this.nextActionId()));
        setTimeout(() => socket.destroy(), 500).unref();
      } else {
        socket.destroy();
      }
    });
  }

  // ---- connection lifecycle ------------------------------------------------------------------

  private openSocket(): void {
    this.currentState = 'connecting';
    this.parser = new AmiFrameParser({ maxMessageChars: this.options.maxMessageChars });
    const socket = createConnection({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.on('connect', () => this.sendLogin(socket));
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    socket.on('close', () => this.onClose(socket));
    this.loginTimer = setTimeout(() => {
      this.logger.warn(`AMI ${this.address()}: no login answer within ${this.actionTimeoutMs} ms`);
      socket.destroy(new Error('login timeout'));
    }, this.actionTimeoutMs);
  }

  private sendLogin(socket: Socket): void {
    const events = this.options.events ?? 'on';
    const mask = typeof events === 'string' ? events : (events.mask ?? 'on');
    const fields = { Action: 'Login', Username: this.options.username, Secret: this.options.secret, Events: mask };
    const login = this.track(fields, false, true, this.actionTimeoutMs, (error, result) => {
      if (error || !result) return; // the login timer or the close handler deals with it
      if (result.response.Response === 'Success') this.onLoggedIn(socket);
      else this.onLoginFailed(socket, result.response.Message ?? result.response.Response ?? 'no reason');
    });
    this.write(login);
  }

  private onLoggedIn(socket: Socket): void {
    this.clearLoginTimer();
    this.currentState = 'connected';
    this.connections++;
    if (this.connections > 1) this.reconnects++;
    this.failedAttempts = 0;
    this.logger.log(`AMI ${this.address()}: logged in as ${this.options.username} (connection ${this.connections})`);
    this.sendFilters();
    const queued = this.queue;
    this.queue = [];
    for (const pending of queued) this.write(pending);
    this.scheduleHeartbeat(socket);
    this.emit('connected', { connection: this.connections });
  }

  private onLoginFailed(socket: Socket, message: string): void {
    this.clearLoginTimer();
    const attempt = this.failedAttempts + 1;
    this.logger.error(
      `AMI ${this.address()}: login as ${this.options.username} failed: ${message} — check AMI_USER/AMI_SECRET and manager.conf; retrying with backoff`,
    );
    this.emit('loginFailed', { message: `AMI login failed: ${message}`, attempt });
    socket.destroy();
  }

  private onClose(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.clearLoginTimer();
    this.clearHeartbeat();
    const wasConnected = this.currentState === 'connected';
    const reason = this.lastError || 'connection closed by peer';
    this.lastError = '';
    this.failAll(new Error(`AMI connection lost before the response (${reason})`), false);
    if (this.currentState === 'closed') return;
    this.currentState = 'disconnected';
    if (wasConnected) {
      this.logger.warn(`AMI ${this.address()}: disconnected: ${reason}`);
      this.emit('disconnected', { reason });
    }
    const delay = backoffDelay(this.failedAttempts++, this.backoff);
    this.logger.log(`AMI ${this.address()}: reconnecting in ${delay} ms (${reason})`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.currentState !== 'closed') this.openSocket();
    }, delay);
  }

  private sendFilters(): void {
    const events = this.options.events;
    if (typeof events !== 'object' || !events.include) return;
    for (const name of events.include) {
      // Asterisk 21+/22 advanced filter (exact event name). Needs `write = system` for this user;
      // config/manager.conf.example does the same with `eventfilter(...)` and needs no extra right.
      const fields = { Action: 'Filter', Operation: 'Add', MatchCriteria: `action(include),name(${name})` };
      const filter = this.track(fields, false, true, this.actionTimeoutMs, (error, result) => {
        const failure = error?.message ?? (result?.response.Response !== 'Success' ? result?.response.Message : undefined);
        if (failure) this.logger.warn(`AMI ${this.address()}: event filter ${name} not added: ${failure}`);
      });
      this.write(filter);
    }
  }

  private scheduleHeartbeat(socket: Socket): void {
    if (this.heartbeatIntervalMs <= 0) return;
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = null;
      const ping = this.track({ Action: 'Ping' }, false, true, this.heartbeatTimeoutMs, (error) => {
        if (socket !== this.socket || this.currentState !== 'connected') return;
        if (!error) return this.scheduleHeartbeat(socket);
        this.logger.warn(`AMI ${this.address()}: heartbeat failed (${error.message}); dropping the link`);
        this.lastError = `heartbeat: no Ping answer within ${this.heartbeatTimeoutMs} ms`;
        socket.destroy();
      });
      this.write(ping);
    }, this.heartbeatIntervalMs);
  }

  // ---- actions -------------------------------------------------------------------------------

  private request(fields: AmiActionFields, list: boolean): Promise<AmiListResult> {
    return new Promise<AmiListResult>((resolve, reject) => {
      if (this.currentState === 'closed') return reject(new Error('AMI client closed'));
      const connected = this.currentState === 'connected' && this.socket?.writable === true;
      if (!connected && this.queue.length >= this.maxQueuedActions) {
        return reject(new Error(`AMI not connected and ${this.maxQueuedActions} actions already queued; ${fields.Action} rejected`));
      }
      const pending = this.track(fields, list, false, this.actionTimeoutMs, (error, result) =>
        error || !result ? reject(error ?? new Error('no result')) : resolve(result),
      );
      if (connected) this.write(pending);
      else this.queue.push(pending);
    });
  }

  private track(
    fields: AmiActionFields,
    list: boolean,
    internal: boolean,
    timeoutMs: number,
    settle: PendingAction['settle'],
  ): PendingAction {
    const id = this.nextActionId();
    const action = String(fields.Action);
    const pending: PendingAction = {
      id,
      action,
      text: formatAction(fields, id),
      list,
      internal,
      written: false,
      items: [],
      timer: setTimeout(() => {
        this.forget(pending);
        const where = pending.written ? 'no response' : 'still queued (AMI not connected)';
        pending.settle(new Error(`AMI action ${action} (ActionID ${id}) timed out after ${timeoutMs} ms: ${where}`));
      }, timeoutMs),
      settle,
    };
    this.pending.set(id, pending);
    return pending;
  }

  private write(pending: PendingAction): void {
    const socket = this.socket;
    if (!socket?.writable) {
      if (!pending.internal) this.queue.push(pending);
      else {
        this.forget(pending);
        pending.settle(new Error('AMI socket not writable'));
      }
      return;
    }
    pending.written = true;
    socket.write(pending.text);
  }

  private forget(pending: PendingAction): void {
    clearTimeout(pending.timer);
    this.pending.delete(pending.id);
    const at = this.queue.indexOf(pending);
    if (at >= 0) this.queue.splice(at, 1);
  }

  /** Rejects actions already written (at most once: never resent). Queued ones wait unless closing. */
  private failAll(error: Error, includeQueued: boolean): void {
    for (const pending of [...this.pending.values()]) {
      if (!pending.written && !includeQueued && !pending.internal) continue;
      this.forget(pending);
      pending.settle(error);
    }
  }

  private actionOnOwnSession(fields: AmiActionFields): Promise<AmiMessage> {
    if (this.currentState === 'closed') return Promise.reject(new Error('AMI client closed'));
    const id = this.nextActionId();
    const originateTimeout = Number(fields.Timeout ?? 30_000);
    const timeoutMs = this.actionTimeoutMs + (Number.isFinite(originateTimeout) ? originateTimeout : 30_000);
    const action: AsteriskManager.Action = { action: String(fields.Action), actionid: id };
    for (const [name, value] of actionHeaders(fields).slice(1)) {
      const previous = action[name];
      action[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const { port, host, username, secret } = this.options;
    const manager = AsteriskManager(undefined, host, username, secret, false);
    return new Promise<AmiMessage>((resolve, reject) => {
      const finish = (error: Error | null, response?: AmiMessage): void => {
        clearTimeout(timer);
        manager.removeAllListeners('close');
        manager.disconnect();
        if (error || !response) reject(error ?? new Error('no response'));
        else resolve(response);
      };
      const timer = setTimeout(
        () => finish(new Error(`AMI action ${action.action} (ActionID ${id}) timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      manager.on('error', (err) => this.logger.debug(`AMI ${this.address()}: ${action.action} session: ${err.message}`));
      manager.on('close', () => finish(new Error(`AMI session for ${action.action} closed before the response`)));
      manager.connect(port, host, () =>
        manager.login((loginError) => {
          if (loginError) return finish(new Error(`AMI login failed: ${String(loginError.message ?? 'no reason')}`));
          manager.action(action, (_error, response) => finish(null, fromLibraryMessage(response)));
        }),
      );
    });
  }

  // ---- incoming ------------------------------------------------------------------------------

  private onData(socket: Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    const { messages, problems } = this.parser.push(chunk);
    for (const problem of problems) {
      this.logger.warn(`AMI ${this.address()} connection ${this.connections}: skipped ${problem.kind}: ${problem.detail}`);
      this.emit('problem', { ...problem, connection: this.connections });
    }
    for (const message of messages) this.inbox.push(message);
    if (!this.yielding) this.drain(socket);
  }

  /**
   * Dispatches queued messages strictly in order. After an action settles it yields once (the
   * socket paused) so that code awaiting the action — e.g. a resync on CoreShowChannels — runs
   * before any later event is emitted.
   */
  private drain(socket: Socket): void {
    while (this.inboxAt < this.inbox.length) {
      const message = this.inbox[this.inboxAt++];
      if (this.dispatch(message) && this.inboxAt < this.inbox.length) {
        socket.pause();
        this.yielding = true;
        setImmediate(() => {
          this.yielding = false;
          socket.resume();
          this.drain(socket);
        });
        return;
      }
    }
    this.inbox = [];
    this.inboxAt = 0;
  }

  /** Returns true when a caller's action settled. */
  private dispatch(message: AmiMessage): boolean {
    const id = message.ActionID;
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (pending) return this.onActionMessage(pending, message);
    if (message.Event !== undefined) {
      this.eventsReceived++;
      this.lastEventAt = new Date();
      try {
        this.emit('message', message);
      } catch (err) {
        this.logger.error(`AMI ${this.address()}: a message listener threw on ${message.Event}: ${String(err)}`);
      }
    } else {
      this.logger.debug(`AMI ${this.address()}: unmatched message (ActionID ${id ?? 'none'}) ignored`);
    }
    return false;
  }

  private onActionMessage(pending: PendingAction, message: AmiMessage): boolean {
    if (message.Response !== undefined && pending.response === undefined) {
      pending.response = message;
      const listFollows = pending.list && message.Response === 'Success' && /^start$/i.test(message.EventList ?? '');
      if (listFollows) return false;
      this.forget(pending);
      if (pending.list && message.Response !== 'Success') {
        pending.settle(new Error(`AMI ${pending.action} failed: ${message.Message ?? message.Response}`));
      } else {
        pending.settle(null, { response: message, items: [] });
      }
      return !pending.internal;
    }
    if (pending.response !== undefined && /^complete$/i.test(message.EventList ?? '')) {
      this.forget(pending);
      pending.settle(null, { response: pending.response, items: pending.items });
      return !pending.internal;
    }
    pending.items.push(message);
    return false;
  }

  // ---- small helpers -------------------------------------------------------------------------

  private address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  private clearLoginTimer(): void {
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = null;
  }

  private clearHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private clearTimers(): void {
    this.clearLoginTimer();
    this.clearHeartbeat();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}

/** A synchronous Originate blocks the session that sent it until the call is answered or times out. */
function isBlockingOriginate(fields: AmiActionFields): boolean {
  return String(fields.Action).toLowerCase() === 'originate' && !/^(true|yes|1|on)$/i.test(String(fields.Async ?? ''));
}

const CANONICAL_KEYS: Record<string, string> = { response: 'Response', actionid: 'ActionID', message: 'Message' };

/** asterisk-manager lower-cases keys; give callers the usual spelling where we know it. */
function fromLibraryMessage(message: Record<string, unknown>): AmiMessage {
  const result: AmiMessage = Object.create(null) as AmiMessage;
  for (const [key, value] of Object.entries(message)) {
    const name = CANONICAL_KEYS[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
    if (typeof value === 'string') result[name] = value;
    else if (Array.isArray(value)) result[name] = value.map(String).join('\n');
    else if (value && typeof value === 'object') {
      result[name] = Object.entries(value).map(([k, v]) => `${k}=${String(v)}`).join('\n');
    }
  }
  return result;
}
