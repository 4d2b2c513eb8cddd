import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AMI_RECORDINGS_DIR } from '../common/project-paths';
import { transcript } from '../../test/support/fixtures';
import { AmiFrameParser } from '../telephony/ami/ami-frame-parser';
import { ASTERISK_ACTIONS, isAsteriskAction } from './asterisk-actions';
import { maskAllows, parseEventMask } from './ami-responses';
import { findRecording, loadRecording, parseRecording } from './recording';

describe('recordings', () => {
  it('reads a recording as banner, the capture login response and every later message, byte for byte', () => {
    const path = transcript('burst1_20_calls.ami');
    const text = readFileSync(path, 'utf8');
    const recording = loadRecording(path);
    expect(recording.name).toBe('burst1_20_calls.ami');
    expect(recording.banner).toBe('Asterisk Call Manager/11.0.0\r\n');
    expect(recording.loginResponse).toBe('Response: Success\r\nActionID: cap-1\r\nMessage: Authentication accepted');
    const messages = new AmiFrameParser().push(text).messages;
    expect(recording.blocks).toHaveLength(messages.length - 1);
    expect(recording.banner + recording.loginResponse + '\r\n\r\n' + recording.blocks.map((b) => `${b.text}\r\n\r\n`).join('')).toBe(text);
    expect(recording.firstTimestamp).toBe(1795335773.697531);
    expect(recording.spanSeconds).toBeCloseTo(1795335821.928899 - 1795335773.697531, 6);
    expect(recording.blocks[0]).toEqual({ text: expect.stringMatching(/^Event: FullyBooted\r\n/), timestamp: null });
  });

  it('takes inline contents without a banner or login response as they are', () => {
    const recording = parseRecording('inline', 'Event: A\r\nTimestamp: 5.5\r\n\r\nEvent: B\r\n\r\n');
    expect(recording).toMatchObject({ banner: 'Asterisk Call Manager/11.0.0\r\n', loginResponse: null, firstTimestamp: 5.5, spanSeconds: 0 });
    expect(recording.blocks.map((b) => b.text)).toEqual(['Event: A\r\nTimestamp: 5.5', 'Event: B']);
  });

  it('finds a recording by path, or by name in the project recordings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    writeFileSync(join(dir, 'mine.ami'), 'Event: A\r\n\r\n');
    expect(findRecording('mine.ami', dir, AMI_RECORDINGS_DIR)).toBe(join(dir, 'mine.ami'));
    expect(findRecording('burst1_20_calls.ami', dir, AMI_RECORDINGS_DIR)).toBe(transcript('burst1_20_calls.ami'));
    expect(findRecording('burst1_20_calls', dir, AMI_RECORDINGS_DIR)).toBe(transcript('burst1_20_calls.ami'));
    expect(findRecording('/nonexistent/x.ami', dir, AMI_RECORDINGS_DIR)).toBeNull();
    expect(findRecording('nope.ami', dir, AMI_RECORDINGS_DIR)).toBeNull();
    expect(() => loadRecording('/nonexistent/x.ami')).toThrow('recording not found: /nonexistent/x.ami');
  });
});

describe('what Asterisk 22 knows and filters', () => {
  it('knows exactly the actions the real Asterisk listed (live/action_responses, ListCommands)', () => {
    const messages = new AmiFrameParser().push(readFileSync(transcript('live/action_responses.ami'))).messages;
    const listed = messages.find((m) => m.ActionID === 'lc-1') ?? {};
    const names = Object.keys(listed).filter((key) => key !== 'Response' && key !== 'ActionID');
    expect(names.length).toBeGreaterThan(100);
    expect(ASTERISK_ACTIONS).toEqual(names);
    expect([isAsteriskAction('getvar'), isAsteriskAction('QueueStatus'), isAsteriskAction('NoSuchAction')]).toEqual([true, true, false]);
  });

  test.each([
    [undefined, 'Privilege: cdr,all', true],
    ['on', 'Privilege: system,all', true],
    ['off', 'Privilege: call,all', false],
    ['call,cdr', 'Privilege: call,all', true],
    ['call,cdr', 'Privilege: cdr,all', true],
    ['call,cdr', 'Privilege: system,all', false],
    ['call,cdr', 'Privilege: security,all', false],
    ['Call', 'Privilege: dialplan,all', false],
    ['call', 'Event: NoPrivilege', true],
  ])('events %p let %p through: %p', (mask, line, allowed) => {
    expect(maskAllows(parseEventMask(mask), `Event: X\r\n${line}\r\nTimestamp: 1`)).toBe(allowed);
  });
});
