import { AmiFrameParser } from './ami-frame-parser';
import { actionHeaders, backoffDelay, formatAction, sanitizeHeaderName, sanitizeHeaderValue } from './ami-action';

describe('sanitizeHeaderValue', () => {
  test.each([
    ['plain', '+79161234567', '+79161234567'],
    ['CRLF injection', 'x\r\nAction: Originate', 'xAction: Originate'],
    ['bare LF', 'a\nb', 'ab'],
    ['bare CR', 'a\rb', 'ab'],
    ['NUL, tab, DEL', 'a\u0000b\tc\u007fd', 'abcd'],
    ['C1 NEL and Unicode line separators', 'a\u0085b\u2028c\u2029d', 'abcd'],
    ['keeps Unicode text', 'Иван Петров <101>', 'Иван Петров <101>'],
    ['keeps colons and spaces', 'Event: Newchannel', 'Event: Newchannel'],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeHeaderValue(input)).toBe(expected);
  });
});

describe('sanitizeHeaderName', () => {
  test.each([
    ['Channel', 'Channel'],
    ['Call\r\nerID', 'CallerID'],
    ['Evil: x', 'Evilx'],
    [' Variable ', 'Variable'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeHeaderName(input)).toBe(expected);
  });
});

describe('formatAction', () => {
  it('writes Action, then our ActionID, then the fields; drops a caller-given ActionID', () => {
    const text = formatAction({ Action: 'Getvar', ActionID: 'theirs', Variable: 'ROUTING_MODE' }, 'sb-1');
    expect(text).toBe('Action: Getvar\r\nActionID: sb-1\r\nVariable: ROUTING_MODE\r\n\r\n');
  });

  it('repeats a header for an array value and skips undefined', () => {
    const text = formatAction({ Action: 'Originate', Variable: ['A=1', 'B=2'], Async: true, Account: undefined }, 'id');
    expect(text).toBe('Action: Originate\r\nActionID: id\r\nVariable: A=1\r\nVariable: B=2\r\nAsync: true\r\n\r\n');
  });

  it('never produces a second header or message from hostile values', () => {
    const hostile = 'x\r\nAction: Originate\r\nChannel: PJSIP/999\r\n\r\nAction: Hangup';
    const text = formatAction({ Action: 'Setvar', Variable: 'CALLERNAME', Value: hostile, [`X\r\nAction`]: hostile }, 'a1');
    const { messages } = new AmiFrameParser().push(text);
    expect(messages).toHaveLength(1);
    expect(Object.keys(messages[0])).toEqual(['Action', 'ActionID', 'Variable', 'Value', 'XAction']);
    expect(messages[0].Action).toBe('Setvar');
  });

  it('sanitises the Action name itself', () => {
    expect(actionHeaders({ Action: 'Ping\r\nAction: Logoff' })).toEqual([['Action', 'PingAction: Logoff']]);
  });
});

describe('backoffDelay', () => {
  const options = { minMs: 100, maxMs: 1000, jitter: 0.2 };
  test.each([
    [0, 0.5, 100],
    [1, 0.5, 200],
    [3, 0.5, 800],
    [4, 0.5, 1000],
    [50, 0.5, 1000],
    [0, 0, 80],
    [0, 1, 120],
    [10, 1, 1000],
  ])('attempt %i, random %f → %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, options, () => random)).toBe(expected);
  });
});
