import { readFileSync } from 'node:fs';
import { AmiSimulator, type SimulatorOptions } from '../../simulator/ami-simulator';
import { AmiFrameParser, type AmiMessage } from './ami-frame-parser';
import { AmiClient, type AmiClientEvents, type AmiClientOptions, type AmiLogger } from './ami.client';
import { transcript } from '../../../test/support/fixtures';


/** What the production parser makes of a recording, minus the capture client's login response. */
function recordedEvents(name: string): AmiMessage[] {
  const { messages } = new AmiFrameParser().push(readFileSync(transcript(name)));
  return messages.filter((m) => m.Event !== undefined);
}

class MemoryLogger implements AmiLogger {
  readonly lines: string[] = [];
  log = (m: string): void => void this.lines.push(`log ${m}`);
  warn = (m: string): void => void this.lines.push(`warn ${m}`);
  error = (m: string): void => void this.lines.push(`error ${m}`);
  debug = (m: string): void => void this.lines.push(`debug ${m}`);
}

function nextEvent<K extends keyof AmiClientEvents>(
  client: AmiClient,
  name: K,
  predicate: (...args: AmiClientEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<AmiClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(name, listener as never);
      reject(new Error(`no ${String(name)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: AmiClientEvents[K]): void => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      client.off(name, listener as never);
      resolve(args);
    };
    client.on(name, listener as never);
  });
}

function collectMessages(client: AmiClient, count: number, timeoutMs = 10_000): Promise<AmiMessage[]> {
  const seen: AmiMessage[] = [];
  return nextEvent(client, 'message', (m) => seen.push(m) >= count, timeoutMs).then(() => seen);
}

describe('AmiClient over real TCP against the replay server', () => {
  let server: AmiSimulator;
  let close: (() => Promise<void>) | null = null;
  let port = 0;
  let clients: AmiClient[] = [];
  let logger: MemoryLogger;

  async function serve(options: SimulatorOptions): Promise<AmiSimulator> {
    server = new AmiSimulator(options);
    const listening = await server.listen(0);
    port = listening.port;
    close = listening.close;
    return server;
  }

  function client(options: Partial<AmiClientOptions> = {}): AmiClient {
    const c = new AmiClient({
      host: '127.0.0.1',
      port,
      username: 'switchboard',
      secret: 's3cret',
      actionTimeoutMs: 1000,
      heartbeatIntervalMs: 0,
      reconnect: { minMs: 10, maxMs: 80, jitter: 0.2 },
      logger,
      ...options,
    });
    clients.push(c);
    return c;
  }

  beforeEach(() => {
    logger = new MemoryLogger();
    clients = [];
  });

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await close?.();
    close = null;
  });

  it('logs in and emits exactly the recorded events, in order', async () => {
    await serve({ recordings: [transcript('burst1_20_calls.ami')] });
    const expected = recordedEvents('burst1_20_calls.ami');
    const c = client();
    const connected = nextEvent(c, 'connected');
    const received = collectMessages(c, expected.length);
    c.start();
    expect(await connected).toEqual([{ connection: 1 }]);
    expect(await received).toEqual(expected);
    expect(c.state).toBe('connected');
    expect(c.eventsReceived).toBe(expected.length);
    expect(c.lastEventAt).toBeInstanceOf(Date);
    const login = server.connections[0].actions[0];
    expect(login).toMatchObject({ Action: 'Login', Username: 'switchboard', Secret: 's3cret', Events: 'on' });
  });

  it('correlates concurrent actions with their responses by ActionID', async () => {
    await serve({ recordings: [transcript('a_known_responsible_answers.ami')] });
    const c = client();
    c.start();
    await nextEvent(c, 'connected');
    const [ping, getvar] = await Promise.all([
      c.action({ Action: 'Ping' }),
      c.action({ Action: 'Getvar', Variable: 'ROUTING_MODE', ActionID: 'ignored' }),
    ]);
    expect(ping).toMatchObject({ Response: 'Success', Ping: 'Pong' });
    expect(getvar).toMatchObject({ Response: 'Success', Message: 'replay' });
    const sent = server.connections[0].actions;
    expect(sent.find((a) => a.Action === 'Ping')?.ActionID).toBe(ping.ActionID);
    expect(sent.find((a) => a.Action === 'Getvar')?.ActionID).toBe(getvar.ActionID);
    expect(ping.ActionID).not.toBe(getvar.ActionID);
  });

  it('rejects an action that gets no response within its timeout', async () => {
    await serve({ recordings: [transcript('a_known_responsible_answers.ami')], ignoreActions: ['Status'] });
    const c = client({ actionTimeoutMs: 100 });
    c.start();
    await nextEvent(c, 'connected');
    await expect(c.action({ Action: 'Status' })).rejects.toThrow(/Status \(ActionID .+\) timed out after 100 ms: no response/);
    expect(c.state).toBe('connected');
  });

  it('collects CoreShowChannels items until EventList: Complete', async () => {
    const recorded = new AmiFrameParser()
      .push(readFileSync(transcript('k_action_responses.ami')))
      .messages.filter((m) => m.Event === 'CoreShowChannel')
      .map(({ Event: _event, ActionID: _id, ...fields }) => fields);
    expect(recorded).toHaveLength(4);
    await serve({ recordings: [transcript('a_known_responsible_answers.ami')], channels: recorded });
    const c = client();
    const messages: AmiMessage[] = [];
    c.on('message', (m) => messages.push(m));
    c.start();
    await nextEvent(c, 'connected');
    const { response, items } = await c.listAction({ Action: 'CoreShowChannels' });
    expect(response).toMatchObject({ Response: 'Success', EventList: 'start', Message: 'Channels will follow' });
    expect(items.map(({ ActionID: _id, ...rest }) => rest)).toEqual(recorded.map((r) => ({ Event: 'CoreShowChannel', ...r })));
    expect(messages.some((m) => m.Event?.startsWith('CoreShowChannel'))).toBe(false);
  });

  it('neutralises header injection in action values: the server sees one action with one header per field', async () => {
    await serve({ recordings: [transcript('a_known_responsible_answers.ami')] });
    const c = client();
    c.start();
    await nextEvent(c, 'connected');
    await c.action({
      Action: 'Setvar',
      Channel: 'PJSIP/101-00000001',
      Variable: 'CALLERID(name)',
      Value: 'x\r\nAction: Originate\r\nChannel: PJSIP/999\r\n\r\nAction: Originate',
    });
    const conn = server.connections[0];
    expect(conn.actions.map((a) => a.Action)).toEqual(['Login', 'Setvar']);
    expect(conn.received).not.toMatch(/(^|\n)Action: Originate/);
    expect(conn.actions[1].Value).toBe('xAction: OriginateChannel: PJSIP/999Action: Originate');
  });

  it('reports a failed login clearly and retries with backoff, never throwing', async () => {
    await serve({ recordings: [transcript('a_known_responsible_answers.ami')], failLogins: 2 });
    const c = client();
    const failures: Array<AmiClientEvents['loginFailed'][0]> = [];
    c.on('loginFailed', (f) => failures.push(f));
    c.start();
    await nextEvent(c, 'connected');
    expect(failures).toEqual([
      { message: 'AMI login failed: Authentication failed', attempt: 1 },
      { message: 'AMI login failed: Authentication failed', attempt: 2 },
    ]);
    expect(server.connections).toHaveLength(3);
    expect(logger.lines.filter((l) => l.startsWith('error ') && l.includes('Authentication failed'))).toHaveLength(2);
    expect(logger.lines.some((l) => /reconnecting in \d+ ms/.test(l))).toBe(true);
  });

  it('reconnects after a link cut mid-stream and the stream continues without loss or duplicates', async () => {
    await serve({ recordings: [transcript('a_known_responsible_answers.ami')], dropAfter: 30 });
    const expected = recordedEvents('a_known_responsible_answers.ami');
    const c = client();
    const connections: number[] = [];
    const disconnects: string[] = [];
    c.on('connected', ({ connection }) => connections.push(connection));
    c.on('disconnected', ({ reason }) => disconnects.push(reason));
    const received = collectMessages(c, expected.length);
    c.start();
    expect(await received).toEqual(expected);
    expect(connections).toEqual([1, 2]);
    expect(disconnects).toHaveLength(1);
    expect(c.reconnects).toBe(1);
    expect(server.connections[0].eventsSent).toBe(30);
  });

  it('queues actions issued while disconnected and sends them after re-login', async () => {
    await serve({ recordings: [transcript('a_known_responsible_answers.ami')] });
    const c = client({ maxQueuedActions: 1, reconnect: { minMs: 100, maxMs: 100, jitter: 0 } });
    c.start();
    await nextEvent(c, 'connected');
    const disconnected = nextEvent(c, 'disconnected');
    server.killConnections();
    await disconnected;
    expect(c.state).toBe('disconnected');
    const queued = c.action({ Action: 'DBPut', Family: 'crm', Key: 'k', Val: 'v' });
    await expect(c.action({ Action: 'Ping' })).rejects.toThrow(/1 actions already queued; Ping rejected/);
    const response = await queued;
    expect(response.Response).toBe('Success');
    const second = server.connections[1].actions;
    expect(second.map((a) => a.Action)).toEqual(['Login', 'DBPut']);
    expect(second[1]).toMatchObject({ Family: 'crm', Key: 'k', Val: 'v', ActionID: response.ActionID });
  });

  it('rejects a queued action whose timeout expires before any connection', async () => {
    await serve({ recordings: [transcript('a_known_responsible_answers.ami')] });
    await close?.();
    close = null;
    const c = client({ actionTimeoutMs: 80 });
    c.start();
    await expect(c.action({ Action: 'Ping' })).rejects.toThrow(/timed out after 80 ms: still queued \(AMI not connected\)/);
    expect(c.state).not.toBe('connected');
  });

  it('detects a silent dead server with the Ping heartbeat and reconnects', async () => {
    await serve({ recordings: [transcript('a_known_responsible_answers.ami')] });
    const c = client({ heartbeatIntervalMs: 30, heartbeatTimeoutMs: 100 });
    c.start();
    await nextEvent(c, 'connected');
    server.freezeConnections();
    const [{ reason }] = await nextEvent(c, 'disconnected');
    expect(reason).toBe('heartbeat: no Ping answer within 100 ms');
    expect(await nextEvent(c, 'connected')).toEqual([{ connection: 2 }]);
  });

  it('reports garbage and a 1 MB field as problems and keeps delivering later events', async () => {
    const huge = 'x'.repeat(1024 * 1024);
    const data = [
      'Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: cap-1\r\nMessage: Authentication accepted\r\n\r\n',
      'Event: TestBefore\r\nN: 1\r\n\r\n',
      'this is not AMI at all\r\n\r\n',
      `Event: Huge\r\nValue: ${huge}\r\n\r\n`,
      'Event: TestAfter\r\nN: 2\r\n\r\n',
    ].join('');
    await serve({ recordings: [{ name: 'garbage', data }] });
    const c = client();
    const problems: string[] = [];
    c.on('problem', (p) => problems.push(p.kind));
    const received = collectMessages(c, 2);
    c.start();
    expect((await received).map((m) => m.Event)).toEqual(['TestBefore', 'TestAfter']);
    expect(problems.sort()).toEqual(['malformed-line', 'oversized']);
    expect(logger.lines.filter((l) => l.startsWith('warn ') && l.includes('skipped'))).toHaveLength(2);
  });

  it('runs a synchronous Originate on its own asterisk-manager session, sanitised', async () => {
    await serve({ recordings: [transcript('a_known_responsible_answers.ami')] });
    const c = client();
    c.start();
    await nextEvent(c, 'connected');
    const response = await c.action({
      Action: 'Originate',
      Channel: 'Local/101@managers',
      Context: 'from-internal',
      Exten: '89161234567',
      Priority: 1,
      Timeout: 1000,
      CallerID: '"Evil\r\nAction: Hangup" <+79161234567>',
    });
    expect(response).toMatchObject({ Response: 'Success', Message: 'replay' });
    expect(server.connections).toHaveLength(2);
    const side = server.connections[1].actions;
    expect(side.map((a) => a.Action?.toLowerCase())).toEqual(['login', 'originate']);
    expect(side[1]).toMatchObject({ ActionID: response.ActionID, Callerid: '"EvilAction: Hangup" <+79161234567>' });
    expect(server.connections[0].actions.map((a) => a.Action)).toEqual(['Login']);
  });

  it('close() stops reconnecting and rejects what is pending', async () => {
    await serve({ recordings: [transcript('a_known_responsible_answers.ami')], ignoreActions: ['Status'] });
    // Generous waits: on a busy machine a 5 s action timeout could reject the pending action before close() does.
    const c = client({ actionTimeoutMs: 60_000 });
    c.start();
    await nextEvent(c, 'connected', undefined, 20_000);
    const pending = expect(c.action({ Action: 'Status' })).rejects.toThrow('AMI client closed');
    await nextEvent(c, 'message', undefined, 20_000);
    await c.close();
    await pending;
    expect(c.state).toBe('closed');
    await expect(c.action({ Action: 'Ping' })).rejects.toThrow('AMI client closed');
    // close() resolved on the socket's close, after the client's own close handler, which is where a
    // reconnect would have been scheduled (and logged): none was.
    expect(logger.lines.filter((line) => /reconnecting in/.test(line))).toEqual([]);
    expect(server.connections).toHaveLength(1);
    expect(server.connections[0].actions.map((a) => a.Action)).toEqual(['Login', 'Status', 'Logoff']);
  });
});
