import { readFileSync } from 'node:fs';
import { AmiFrameParser } from './ami-frame-parser';
import { transcript } from '../../../test/support/fixtures';


describe('AmiFrameParser', () => {
  it('reads the banner and every message of a real recording, whatever the chunking', () => {
    const bytes = readFileSync(transcript('a_known_responsible_answers.ami'));
    const whole = new AmiFrameParser().push(bytes);
    const expectedCount = bytes.toString('utf8').split('\r\n\r\n').length - 1;
    expect(whole.messages).toHaveLength(expectedCount);
    expect(whole.problems).toEqual([]);
    expect(whole.messages[0]).toMatchObject({ Response: 'Success', ActionID: 'cap-1' });

    for (const size of [1, 7, 1000]) {
      const parser = new AmiFrameParser();
      const messages = [];
      for (let at = 0; at < bytes.length; at += size) messages.push(...parser.push(bytes.subarray(at, at + size)).messages);
      expect(parser.banner).toBe('Asterisk Call Manager/11.0.0');
      expect(messages).toEqual(whole.messages);
    }
  });

  it('joins repeated headers, reports malformed lines and drops oversized messages without losing the next one', () => {
    const parser = new AmiFrameParser({ maxMessageChars: 1000 });
    const result = parser.push(
      'Asterisk Call Manager/11.0.0\r\n' +
        'Response: Success\r\nOutput: line 1\r\nOutput: line 2\r\n\r\n' +
        'garbage without colon\r\nEvent: Ping\r\n\r\n' +
        `Event: Huge\r\nData: ${'x'.repeat(5000)}` ,
    );
    expect(result.messages).toEqual([
      { Response: 'Success', Output: 'line 1\nline 2' },
      { Event: 'Ping' },
    ]);
    expect(result.problems.map((p) => p.kind)).toEqual(['malformed-line', 'oversized']);
    const after = parser.push(`${'y'.repeat(3000)}\r\n\r\nEvent: Hangup\r\nUniqueid: 1.1\r\n\r\n`);
    expect(after.messages).toEqual([{ Event: 'Hangup', Uniqueid: '1.1' }]);
  });
});
