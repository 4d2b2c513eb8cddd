import { formatLogLine, JsonLogger } from './json-logger';

describe('JsonLogger', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');

  it.each([
    {
      name: 'a call line gets its linkedid',
      args: ['log', 'call 1795335530.4 finalized: inbound +74951234567 answered by 101', ['CallTrackerService']] as const,
      expected: {
        time: '2026-01-02T03:04:05.678Z',
        level: 'info',
        context: 'CallTrackerService',
        msg: 'call 1795335530.4 finalized: inbound +74951234567 answered by 101',
        linkedid: '1795335530.4',
      },
    },
    {
      name: 'an error with a stack and a context',
      args: ['error', 'boom', ['Error: boom\n    at x', 'Bootstrap']] as const,
      expected: { time: '2026-01-02T03:04:05.678Z', level: 'error', context: 'Bootstrap', msg: 'boom', stack: 'Error: boom\n    at x' },
    },
    {
      name: 'an object message is merged',
      args: ['warn', { msg: 'slow', ms: 12 }, []] as const,
      expected: { time: '2026-01-02T03:04:05.678Z', level: 'warn', msg: 'slow', ms: 12 },
    },
  ])('$name', ({ args, expected }) => {
    expect(formatLogLine(args[0], args[1], [...args[2]], args[0] === 'error', now)).toEqual(expected);
  });

  it('writes one JSON object per line and honours the levels', () => {
    const lines: string[] = [];
    const logger = new JsonLogger(['error', 'warn', 'log'], (line) => lines.push(line));
    logger.log('hello', 'Main');
    logger.debug('hidden', 'Main');
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', context: 'Main', msg: 'hello' });
  });
});
