import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { AmiFrameParser } from '../../src/telephony/ami/ami-frame-parser';
import { AmiReplayServer, rewriteIds, type ReplayServerOptions } from './ami-replay-server';
import { AMI_RECORDINGS_DIR } from '../../src/common/project-paths';

const TRANSCRIPTS = AMI_RECORDINGS_DIR;
const file = (name: string): string => join(TRANSCRIPTS, name);

/** A bare TCP client: sends `text` after connecting, returns what arrived until `until` matches or the peer closed. */
function exchange(port: number, text: string, until: (received: string) => boolean): Promise<{ received: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    const timer = setTimeout(() => finish(false), 3000);
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

describe('AmiReplayServer on the wire', () => {
  let close: (() => Promise<void>) | null = null;

  async function serve(options: ReplayServerOptions): Promise<number> {
    const listening = await new AmiReplayServer(options).listen();
    close = listening.close;
    return listening.port;
  }

  afterEach(async () => {
    await close?.();
    close = null;
  });

  it('replays a recording byte for byte to a client that logs in with the recorded ActionID', async () => {
    const recording = readFileSync(file('a_known_responsible_answers.ami'), 'utf8');
    const port = await serve({ recordings: [file('a_known_responsible_answers.ami')], closeAtEnd: true });
    const { received, closed } = await exchange(port, 'Action: Login\r\nActionID: cap-1\r\nUsername: lab\r\nSecret: x\r\n\r\n', () => false);
    expect(closed).toBe(true);
    expect(received).toBe(recording);
  });

  it('answers a failed login with the exact bytes of k_login_failed and closes; the next Ping gets nothing', async () => {
    const recorded = readFileSync(file('k_login_failed.ami'), 'utf8');
    const sent = readFileSync(file('k_login_failed.sent.txt'), 'utf8');
    const port = await serve({ recordings: [file('a_known_responsible_answers.ami')], failLogins: 1 });
    const { received, closed } = await exchange(port, sent, () => false);
    expect(closed).toBe(true);
    expect(received).toBe(recorded);
  });

  it('answers Ping and an empty CoreShowChannels in the recorded format, echoing ActionIDs', async () => {
    const port = await serve({ recordings: [file('k_action_responses.ami')] });
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
    const port = await serve({ recordings: files.map(file) });
    const login = 'Action: Login\r\nActionID: l\r\nUsername: lab\r\nSecret: x\r\n\r\n';
    for (const name of files) {
      const tail = readFileSync(file(name), 'utf8').slice(-200);
      const last = name === files[files.length - 1];
      const { received, closed } = await exchange(port, login, (r) => last && r.endsWith(tail));
      const events = new AmiFrameParser().push(received).messages.filter((m) => m.Event);
      const recorded = new AmiFrameParser().push(readFileSync(file(name))).messages.filter((m) => m.Event);
      expect(events).toEqual(recorded);
      expect(closed).toBe(name === files[0]); // the last one stays open for actions
    }
  });
});

describe('rewriteIds', () => {
  const block = [
    'Event: DialBegin',
    'Channel: Local/74951112233@from-pstn-000000e3;2',
    'Uniqueid: 1795336311.479',
    'Linkedid: 1795336311.478',
    'DestChannel: PJSIP/101-0000002a',
    'DestUniqueid: 1795336311.480',
    'DestLinkedid: 1795336311.478',
    'Timestamp: 1795336311.653087',
    'BridgeUniqueid: 6a0f3a44-5b8e-4c61-9a39-0c6d8e2b1f00',
  ].join('\r\n');

  it('leaves repetition 0 untouched', () => {
    expect(rewriteIds(block, 0)).toBe(block);
  });

  it('moves ids and channel suffixes out of the way in later repetitions, keeping the rest', () => {
    expect(rewriteIds(block, 2).split('\r\n')).toEqual([
      'Event: DialBegin',
      'Channel: Local/74951112233@from-pstn-020000e3;2',
      'Uniqueid: 1795336311.20000479',
      'Linkedid: 1795336311.20000478',
      'DestChannel: PJSIP/101-0200002a',
      'DestUniqueid: 1795336311.20000480',
      'DestLinkedid: 1795336311.20000478',
      'Timestamp: 1795336311.653087',
      'BridgeUniqueid: 6a0f3a44-5b8e-4c61-9a39-0c6d8e2b1f00',
    ]);
  });
});
