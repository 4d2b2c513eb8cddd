import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { transcript } from '../../test/support/fixtures';
import { AmiFrameParser, parseMessageText, type AmiMessage } from '../telephony/ami/ami-frame-parser';
import { RawAmiClient } from '../../test/support/raw-ami-client';
import { until } from '../../test/support/until';
import { AmiSimulator, type SimulatorOptions } from './ami-simulator';
import { loadRecording } from './recording';


/** A bare TCP client: sends `text` after connecting, returns what arrived until `until` matches or the peer closed. */
function exchange(port: number, text: string, until: (received: string) => boolean, timeoutMs = 3000): Promise<{ received: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ received, closed });
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (until(received)) finish(false);
    });
    socket.on('close', () => finish(true));
    socket.on('error', reject);
  });
}

const LOGIN = ['Action: Login', 'ActionID: cap-1', 'Username: lab', 'Secret: labsecret'];
const LAB_LOGIN = { username: 'lab', secret: 'labsecret' };
/** `.sent.txt` files show LF; on the wire it is CRLF. */
const sentBytes = (name: string): string => readFileSync(transcript(name), 'utf8').replace(/\r?\n/g, '\r\n');
/** Frames of a capture by ActionID (a list answer has several). */
function byActionId(text: string): Map<string, string[]> {
  const frames = new Map<string, string[]>();
  for (const frame of text.slice(text.indexOf('\r\n') + 2).split('\r\n\r\n')) {
    const id = /^ActionID: (.*)$/m.exec(frame)?.[1];
    if (id !== undefined) frames.set(id, [...(frames.get(id) ?? []), `${frame}\r\n\r\n`]);
  }
  return frames;
}
/** Sends a Ping and waits for its answer: everything the simulator wrote to this client before has arrived. */
async function pinged(c: RawAmiClient, actionId: string): Promise<void> {
  c.action(['Action: Ping', `ActionID: ${actionId}`]);
  await c.waitFor(`the answer to Ping ${actionId}`, (x) => x.received.includes(`ActionID: ${actionId}\r\n`));
}
const eventFrames = (frames: string[]): string[] => frames.filter((f) => f.startsWith('Event: '));
const ids = (frames: string[]): Set<string> => new Set(frames.flatMap((f) => [...f.matchAll(/^Linkedid: (\S+)\r$/gm)].map((m) => m[1])));

describe('AmiSimulator on the wire', () => {
  let close: (() => Promise<void>) | null = null;

  let simulator: AmiSimulator;
  let clients: RawAmiClient[] = [];

  async function serve(options: SimulatorOptions): Promise<number> {
    simulator = new AmiSimulator(options);
    const listening = await simulator.listen();
    close = listening.close;
    return listening.port;
  }

  async function client(port: number, login: string[] | null = LOGIN): Promise<RawAmiClient> {
    const c = await RawAmiClient.connect(port);
    clients.push(c);
    if (login) c.action(login);
    return c;
  }

  afterEach(async () => {
    for (const c of clients) c.close();
    clients = [];
    await close?.();
    close = null;
  });

  it('replays a recording byte for byte to a client that logs in with the recorded ActionID', async () => {
    const recording = readFileSync(transcript('a_known_responsible_answers.ami'), 'utf8');
    const port = await serve({ recordings: [transcript('a_known_responsible_answers.ami')], closeAtEnd: true });
    const { received, closed } = await exchange(port, 'Action: Login\r\nActionID: cap-1\r\nUsername: lab\r\nSecret: x\r\n\r\n', () => false);
    expect(closed).toBe(true);
    expect(received).toBe(recording);
  });

  it('answers a failed login with the exact bytes of k_login_failed and closes; the next Ping gets nothing', async () => {
    const recorded = readFileSync(transcript('k_login_failed.ami'), 'utf8');
    const sent = readFileSync(transcript('k_login_failed.sent.txt'), 'utf8');
    const port = await serve({ recordings: [transcript('a_known_responsible_answers.ami')], failLogins: 1 });
    const { received, closed } = await exchange(port, sent, () => false);
    expect(closed).toBe(true);
    expect(received).toBe(recorded);
  });

  it('answers Ping and an empty CoreShowChannels in the recorded format, echoing ActionIDs', async () => {
    const port = await serve({ recordings: [transcript('k_action_responses.ami')] });
    const login = 'Action: Login\r\nActionID: act-1\r\nUsername: lab\r\nSecret: x\r\nEvents: off\r\n\r\n';
    const actions = 'Action: Ping\r\nActionID: p-1\r\n\r\nAction: CoreShowChannels\r\nActionID: c-1\r\n\r\n';
    const { received } = await exchange(port, login + actions, (r) => r.includes('ListItems'));
    const { messages } = new AmiFrameParser().push(received);
    expect(messages[0]).toEqual({ Response: 'Success', ActionID: 'act-1', Message: 'Authentication accepted' });
    expect(messages[1]).toMatchObject({ Response: 'Success', ActionID: 'p-1', Ping: 'Pong' });
    expect(messages[1].Timestamp).toMatch(/^\d+\.\d{6}$/);
    expect(received.slice(received.indexOf('Response: Success\r\nActionID: c-1'))).toBe(
      'Response: Success\r\nActionID: c-1\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n' +
        'Event: CoreShowChannelsComplete\r\nActionID: c-1\r\nEventList: Complete\r\nListItems: 0\r\n\r\n',
    );
  });

  it('serves several recordings on successive connections, cutting the link in between', async () => {
    const files = ['d_known_abandoned.ami', 'h_anonymous_group_answers.ami'];
    const port = await serve({ recordings: files.map(transcript) });
    const login = 'Action: Login\r\nActionID: l\r\nUsername: lab\r\nSecret: x\r\n\r\n';
    for (const name of files) {
      const tail = readFileSync(transcript(name), 'utf8').slice(-200);
      const last = name === files[files.length - 1];
      const { received, closed } = await exchange(port, login, (r) => last && r.endsWith(tail));
      const events = new AmiFrameParser().push(received).messages.filter((m) => m.Event);
      const recorded = new AmiFrameParser().push(readFileSync(transcript(name))).messages.filter((m) => m.Event);
      expect(events).toEqual(recorded);
      expect(closed).toBe(name === files[0]); // the last one stays open for actions
    }
  });

  it('checks the login: a wrong secret or user gets the exact bytes of k_login_failed after a second, then the connection closes', async () => {
    const port = await serve({ recordings: [transcript('a_known_responsible_answers.ami')], login: LAB_LOGIN, loginFailureDelayMs: 1000 });
    const started = Date.now();
    const wrongSecret = await exchange(port, sentBytes('k_login_failed.sent.txt'), () => false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(wrongSecret).toEqual({ received: readFileSync(transcript('k_login_failed.ami'), 'utf8'), closed: true });
    const wrongUser = await exchange(port, 'Action: Login\r\nActionID: bad-1\r\nUsername: nobody\r\nSecret: labsecret\r\n\r\n', () => false);
    expect(wrongUser).toEqual({ received: readFileSync(transcript('k_login_failed.ami'), 'utf8'), closed: true });
    const right = await exchange(port, 'Action: Login\r\nActionID: ok-1\r\nUsername: LAB\r\nSecret: labsecret\r\nEvents: off\r\n\r\n', (r) => r.includes('accepted'));
    expect(right.received).toBe('Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: ok-1\r\nMessage: Authentication accepted\r\n\r\n');
  });

  it('answers before Login exactly as a real Asterisk 22 (live/pre_login): Permission denied, Missing action, Goodbye', async () => {
    const port = await serve({ recordings: [transcript('a_known_responsible_answers.ami')], login: LAB_LOGIN });
    const { received, closed } = await exchange(port, sentBytes('live/pre_login.sent.txt'), () => false);
    expect(closed).toBe(true);
    expect(received).toBe(readFileSync(transcript('live/pre_login.ami'), 'utf8'));
  });

  it('answers Events, Filter, a message without Action, an unknown action and Logoff exactly as a real Asterisk 22 (live/action_responses)', async () => {
    const port = await serve({ recordings: [transcript('burst1_20_calls.ami')], login: LAB_LOGIN });
    const { received, closed } = await exchange(port, sentBytes('live/action_responses.sent.txt'), () => false);
    expect(closed).toBe(true);
    const real = byActionId(readFileSync(transcript('live/action_responses.ami'), 'utf8'));
    const ours = byActionId(received);
    for (const id of ['l-1', 'e-1', 'e-2', 'e-3', 'e-4', 'f-1', 'x-1', 'x-2', 'g-1']) expect([id, ours.get(id)]).toEqual([id, real.get(id)]);
    const shape = (frame: string | undefined): string | undefined => frame?.replace(/^Timestamp: \d+\.\d{6}\r$/m, 'Timestamp: T');
    expect(shape(ours.get('p-1')?.[0])).toBe(shape(real.get('p-1')?.[0]));
    // DeviceStateList: the same framing (a real Asterisk also lists configured phones no event has shown)
    const [start, ...rest] = ours.get('d-1') ?? [];
    expect(start).toBe(real.get('d-1')?.[0]);
    expect(rest).toEqual(['Event: DeviceStateListComplete\r\nActionID: d-1\r\nEventList: Complete\r\nListItems: 0\r\n\r\n']);
  });

  it('CoreShowChannels in the middle of the stream lists exactly the channels the events so far created and did not hang up, as Asterisk 22 lists them', async () => {
    const port = await serve({ recordings: [transcript('burst1_20_calls.ami')] });
    const c = await client(port);
    await c.waitFor('1500 frames', (x) => x.frameCount > 1500);
    c.action(['Action: CoreShowChannels', 'ActionID: mid-1']);
    await c.waitFor('the list', (x) => x.received.includes('Event: CoreShowChannelsComplete\r\nActionID: mid-1'));
    const { frames } = c.frames();
    const answer = frames.findIndex((f) => f.startsWith('Response: Success\r\nActionID: mid-1\r\n'));
    expect(answer).toBeGreaterThan(1500);
    const before = frames.slice(0, answer).map((f) => parseMessageText(f) as AmiMessage);
    const alive = new Map<string, AmiMessage>();
    for (const m of before) {
      if (m.Event === 'Newchannel') alive.set(m.Uniqueid, m);
      else if (m.Event === 'Hangup') alive.delete(m.Uniqueid);
      else if (m.Uniqueid && alive.has(m.Uniqueid)) alive.set(m.Uniqueid, m);
    }
    const items = frames.slice(answer + 1).filter((f) => / ?ActionID: mid-1\r\n/.test(f) && f.startsWith('Event: CoreShowChannel\r\n')).map((f) => parseMessageText(f) as AmiMessage);
    expect(alive.size).toBeGreaterThan(5);
    expect(items.map((i) => i.Uniqueid).sort()).toEqual([...alive.keys()].sort());
    const realItem = new AmiFrameParser().push(readFileSync(transcript('live/core_show_channels.ami'))).messages.find((m) => m.Event === 'CoreShowChannel') as AmiMessage;
    for (const item of items) {
      expect(Object.keys(item)).toEqual(Object.keys(realItem));
      const last = alive.get(item.Uniqueid) as AmiMessage;
      expect([item.Channel, item.Linkedid, item.Language]).toEqual([last.Channel, last.Linkedid, last.Language]);
    }
    const complete = parseMessageText(frames.find((f) => f.startsWith('Event: CoreShowChannelsComplete\r\nActionID: mid-1')) ?? '');
    expect(complete?.ListItems).toBe(String(items.length));
  });

  it('streams only while a client has events on, and only the classes it asked for (Events action, Login mask)', async () => {
    const recording = loadRecording(transcript('burst1_20_calls.ami'));
    const calls = recording.blocks.filter((b) => /^Privilege: [^\r]*\bcall\b/m.test(b.text)).length;
    const port = await serve({ recordings: [transcript('burst1_20_calls.ami')] });
    const c = await client(port, [...LOGIN, 'Events: off']);
    await c.waitFor('the login answer', (x) => x.frameCount >= 1);
    // Answered after the login: had logging in started the stream, its events would have come first.
    await pinged(c, 'p-1');
    expect(c.frameCount).toBe(2);
    expect(simulator.remainingEvents).toBe(simulator.totalEvents);
    c.action(['Action: Events', 'ActionID: e-1', 'EventMask: call']);
    await c.waitFor('every call-class event', (x) => x.frameCount >= 3 + calls);
    // The stream is over and a Ping answered after it: whatever it sent this client has arrived.
    await until('the stream to end', () => simulator.remainingEvents === 0, 10_000);
    await pinged(c, 'p-2');
    const frames = c.frames().frames;
    expect(frames[2]).toBe('Response: Success\r\nActionID: e-1\r\nEvents: On\r\n\r\n');
    const events = eventFrames(frames);
    expect(events).toHaveLength(calls);
    expect(events.every((f) => /^Privilege: [^\r]*\bcall\b/m.test(f))).toBe(true);
    expect(simulator.remainingEvents).toBe(0);
  });

  it('sends every event to every listening client, starting when the number it waits for is there', async () => {
    const recording = loadRecording(transcript('d_known_abandoned.ami'));
    const port = await serve({ recordings: [transcript('d_known_abandoned.ami')], clients: 2 });
    const first = await client(port);
    await first.waitFor('the login answer', (x) => x.frameCount >= 1);
    // Answered after the login: had one listening client been enough, the stream's events would have come first.
    await pinged(first, 'p-1');
    expect(first.frameCount).toBe(2);
    const second = await client(port);
    const before = new Map([
      [first, 2],
      [second, 1],
    ]);
    for (const [c, answers] of before) await c.waitFor('every event', (x) => x.frameCount >= answers + recording.blocks.length);
    for (const [c, answers] of before) expect(c.frames().frames.slice(answers)).toEqual(recording.blocks.map((b) => `${b.text}\r\n\r\n`));
  });

  it('a client that stops reading holds the stream back: nothing lost, nothing cut, every frame whole', async () => {
    const recording = loadRecording(transcript('burst1_20_calls.ami'));
    const rounds = 6; // ~13 MB: more than socket buffers hold
    const total = rounds * recording.blocks.length;
    const port = await serve({ recordings: [transcript('burst1_20_calls.ami')], repeat: rounds, betweenRecordings: 'continue' });
    const c = await client(port);
    await c.waitFor('the login answer', (x) => x.frameCount >= 1);
    c.pause();
    // once the socket buffers are full the simulator stops writing (it waits for them to drain instead of queueing it all)
    const sent = (): number => simulator.connections[0].eventsSent;
    let sentWhilePaused = -1;
    for (let i = 0; i < 50 && sent() !== sentWhilePaused; i++) {
      sentWhilePaused = sent();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(sent()).toBe(sentWhilePaused);
    expect(sentWhilePaused).toBeLessThan(total);
    for (let i = 0; i < 5 && c.frameCount < total; i++) {
      c.resume();
      await new Promise((resolve) => setTimeout(resolve, 50));
      c.pause();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    c.resume();
    await c.waitFor('every frame of every round', (x) => x.frameCount >= 1 + total, 30_000);
    const { frames } = c.frames();
    expect(frames).toHaveLength(1 + total);
    expect(c.received.endsWith('\r\n\r\n')).toBe(true);
    expect(c.closed).toBe(false);
    expect(frames.slice(1, 1 + recording.blocks.length)).toEqual(recording.blocks.map((b) => `${b.text}\r\n\r\n`));
    const perRound = [...Array(rounds).keys()].map((r) => ids(frames.slice(1 + r * recording.blocks.length, 1 + (r + 1) * recording.blocks.length)));
    expect(perRound.map((s) => s.size)).toEqual(Array(rounds).fill(20));
    expect(new Set(perRound.flatMap((s) => [...s])).size).toBe(20 * rounds);
  });

  it('fresh: every round, the first too, is new calls happening now (new ids, timestamps from the wall clock)', async () => {
    const recording = loadRecording(transcript('a_known_responsible_answers.ami'));
    const recorded = ids(recording.blocks.map((b) => b.text + '\r\n'));
    const port = await serve({ recordings: [transcript('a_known_responsible_answers.ami')], repeat: Infinity, fresh: true, betweenRecordings: 'continue' });
    const c = await client(port);
    const n = recording.blocks.length;
    await c.waitFor('three rounds', (x) => x.frameCount >= 1 + 3 * n);
    const receivedAt = Date.now() / 1000;
    const { frames } = c.frames();
    const seen = new Set<string>(recorded);
    for (let r = 0; r < 3; r++) {
      const round = frames.slice(1 + r * n, 1 + (r + 1) * n);
      const linkedids = ids(round);
      expect(linkedids.size).toBe(recorded.size);
      for (const id of linkedids) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
        expect(Math.abs(Number(id.split('.')[0]) - receivedAt)).toBeLessThan(30);
      }
      const first = Number(/^Timestamp: (\S+)\r$/m.exec(round.find((f) => /^Timestamp: /m.test(f)) ?? '')?.[1]);
      expect(Math.abs(first - receivedAt)).toBeLessThan(5);
    }
  });

  it('answers DeviceStateList from the device states streamed so far', async () => {
    const port = await serve({ recordings: [transcript('j_sip_known_responsible_answers.ami')] });
    const recording = loadRecording(transcript('j_sip_known_responsible_answers.ami'));
    const c = await client(port);
    await c.waitFor('every event', (x) => x.frameCount >= 1 + recording.blocks.length);
    c.action(['Action: DeviceStateList', 'ActionID: d-1']);
    await c.waitFor('the list', (x) => x.received.includes('DeviceStateListComplete'));
    const last = new Map<string, string>();
    for (const b of recording.blocks) {
      const m = parseMessageText(b.text) as AmiMessage;
      if (m.Event === 'DeviceStateChange' && m.Device.startsWith('PJSIP/')) last.set(m.Device, m.State);
    }
    expect(last.size).toBeGreaterThan(0);
    const items = [...last].map(([device, state]) => `Event: DeviceStateChange\r\nActionID: d-1\r\nDevice: ${device}\r\nState: ${state}\r\n\r\n`);
    expect(c.received.slice(c.received.indexOf('Response: Success\r\nActionID: d-1'))).toBe(
      'Response: Success\r\nActionID: d-1\r\nEventList: start\r\nMessage: Device State Changes will follow\r\n\r\n' +
        items.join('') +
        `Event: DeviceStateListComplete\r\nActionID: d-1\r\nEventList: Complete\r\nListItems: ${items.length}\r\n\r\n`,
    );
  });

  it('a recording with nothing after the login ends at once, even looped, and still answers actions', async () => {
    const data = 'Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: cap-1\r\nMessage: Authentication accepted\r\n\r\n';
    const port = await serve({ recordings: [{ name: 'empty', data }], repeat: Infinity, fresh: true });
    const ended = new Promise((resolve) => simulator.once('end', () => resolve(true)));
    const c = await client(port);
    expect(await ended).toBe(true);
    expect(simulator.remainingEvents).toBe(0);
    c.action(['Action: Ping', 'ActionID: p-1']);
    await c.waitFor('the Ping answer', (x) => x.received.includes('Ping: Pong'));
    expect(c.frameCount).toBe(2);
  });
});
