import { readFileSync } from 'node:fs';
import { DirectoryError, deviceOfChannel, indexDirectory, parseDirectory } from './directory';
import { LAB_DIRECTORY_FILE } from '../../../test/support/fixtures';

describe('directory', () => {
  const directory = parseDirectory(JSON.parse(readFileSync(LAB_DIRECTORY_FILE, 'utf8')));
  const index = indexDirectory(directory);

  it('loads the lab directory', () => {
    expect(directory.stepVariable).toBe('ESC_STEP');
    expect(directory.users).toHaveLength(6);
    expect(directory.knownCallers.find((c) => c.phone === '84951234567')?.phoneE164).toBe('+74951234567');
  });

  test.each([
    ['PJSIP/101-00000003', 'PJSIP/101'],
    ['Local/101@managers-0000001a;1', 'Local/101@managers'],
    ['Local/74951112233@from-pstn-00000002;2', 'Local/74951112233@from-pstn'],
    ['PJSIP/trunk-00000006', 'PJSIP/trunk'],
    ['SIP/my-peer-0000abcd', 'SIP/my-peer'],
    ['Bogus', 'Bogus'],
  ])('device of %s is %s', (channel, device) => {
    expect(deviceOfChannel(channel)).toBe(device);
  });

  test.each([
    ['PJSIP/101-00000003', '101'],
    ['Local/101@managers-0000001a;1', '101'],
    ['Local/200@managers-0000001a;2', '200'],
    ['PJSIP/400-000000ff', '400'],
    ['PJSIP/trunk-00000006', null],
    ['Local/74951112233@from-pstn-00000002;2', null],
    ['Local/89161234567@pstn-out-00000019;1', null],
    ['PJSIP/999-00000001', null],
    ['', null],
  ])('person of %s is %s', (channel, person) => {
    expect(index.personOfChannel(channel)).toBe(person);
  });

  it('maps lines, step names and responsible managers', () => {
    expect(index.lineOf('74951112233')).toBe('74951112233');
    expect(index.lineOf('+7 495 111-22-44')).toBe('74951112244');
    expect(index.lineOf('s')).toBeNull();
    expect(index.stepName('sales_group')).toBe('department');
    expect(index.stepName('unknown_step')).toBe('unknown_step');
    expect(index.responsibleFor('+74951234567')).toBe('101');
  });

  test.each([
    [null, 'directory: expected an object'],
    [{ users: {} }, 'users: expected an array'],
    [{ users: [{ extension: '' }] }, 'users[0].extension'],
    [{ users: [{ extension: '1', role: 'king' }] }, 'users[0].role'],
    [{ users: [{ extension: '1' }, { extension: '1' }] }, 'appears twice'],
    [{ knownCallers: [{ phone: 'abc' }] }, 'knownCallers[0].phone'],
  ])('rejects %j', (input, message) => {
    expect(() => parseDirectory(input)).toThrow(DirectoryError);
    expect(() => parseDirectory(input)).toThrow(message);
  });
});
