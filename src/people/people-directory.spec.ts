import { clashesOf, peopleDirectory, peopleFromRows, personById, PeopleDirectoryError, resolveExtension, type PersonRow } from './people-directory';
import type { Person } from './person';

const row = (id: string, extensions: string[], extra: Partial<PersonRow> = {}): PersonRow => ({
  id,
  name: `Person ${id}`,
  role: 'manager',
  department: 'sales',
  extensions,
  owned: extensions,
  devices: extensions.map((ext) => `PJSIP/${ext}`),
  active: true,
  createdAt: new Date(`2026-01-0${id.slice(-1)}T00:00:00Z`),
  ...extra,
});

describe('people directory (pure)', () => {
  describe('from the loader rows (users + extension_owners)', () => {
    // The view gave 101 to a (older); b lists it too (a legacy clash), c is inactive and lists 103.
    const rows = [
      row('b2', ['101', '102'], { owned: ['102'], devices: ['PJSIP/101', 'PJSIP/102'] }),
      row('a1', ['101'], { devices: ['pjsip/101'] }),
      row('c3', ['103'], { owned: [], active: false }),
    ];
    const directory = peopleDirectory(peopleFromRows(rows));

    it.each([
      { extension: '101', who: 'a1', why: 'the view gave the legacy clash to the older active user' },
      { extension: '102', who: 'b2', why: 'the younger keeps the extensions nobody else holds' },
      { extension: '103', who: null, why: 'an inactive holder owns nothing' },
      { extension: '999', who: null, why: 'nobody lists it' },
      { extension: null, who: null, why: 'no extension' },
    ])('extension $extension → $who ($why)', ({ extension, who }) => {
      expect(resolveExtension(directory, extension)?.id ?? null).toBe(who);
    });

    it('keeps each person in the rows order, with only what reaches them', () => {
      expect(directory.people.map((p) => [p.id, p.extensions, p.devices])).toEqual([
        ['b2', ['102'], ['PJSIP/102']],
        ['a1', ['101'], ['pjsip/101']],
        ['c3', [], []],
      ]);
    });

    it.each([
      { device: 'PJSIP/101', who: 'a1', why: 'listed by both: the older active user, the view’s tie-break' },
      { device: 'PJSIP/102', who: 'b2', why: 'only b lists it' },
      { device: 'PJSIP/103', who: null, why: 'an inactive holder owns nothing' },
    ])('device $device → $who ($why)', ({ device, who }) => {
      const holders = directory.people.filter((p) => p.devices.some((d) => d.toLowerCase() === device.toLowerCase()));
      expect(holders.map((p) => p.id)).toEqual(who === null ? [] : [who]);
    });

    it('still names inactive people by id (former staff on old calls)', () => {
      expect(personById(directory, 'c3')?.name).toBe('Person c3');
      expect(personById(directory, 'nobody')).toBeNull();
    });
  });

  it('refuses a directory written with one extension or device for two people, instead of picking one', () => {
    const person = (id: string, extensions: string[], devices: string[]): Person => ({ id, name: id, role: 'manager', department: null, extensions, devices, active: true });
    expect(() => peopleDirectory([person('a', ['101'], []), person('b', ['101'], [])])).toThrow(PeopleDirectoryError);
    expect(() => peopleDirectory([person('a', [], ['PJSIP/101']), person('b', [], ['pjsip/101'])])).toThrow('device pjsip/101 is listed by a and b');
    expect(peopleDirectory([person('a', ['101', '101'], [])]).byExtension.get('101')?.id).toBe('a');
  });

  describe('clashes when saving a person', () => {
    const others = [
      { id: 'a', name: 'Anna', extensions: ['101'], devices: ['PJSIP/101'], active: true },
      { id: 'old', name: 'Oleg', extensions: ['102'], devices: ['PJSIP/102'], active: false },
    ];
    it.each([
      { title: 'another active user holds the extension', candidate: { extensions: ['101'], devices: [] }, clashes: ['extension 101 Anna'] },
      { title: 'the device, whatever its case', candidate: { extensions: ['105'], devices: ['pjsip/101'] }, clashes: ['device pjsip/101 Anna'] },
      { title: 'an inactive holder is no clash', candidate: { extensions: ['102'], devices: ['PJSIP/102'] }, clashes: [] },
      { title: 'nothing shared', candidate: { extensions: ['104'], devices: ['PJSIP/104'] }, clashes: [] },
    ])('$title', ({ candidate, clashes }) => {
      const found = clashesOf({ id: null, active: true, ...candidate }, others);
      expect(found.map((c) => `${c.kind} ${c.value} ${c.holder.name}`)).toEqual(clashes);
    });

    it('is none for the holder itself, and none for an inactive candidate', () => {
      expect(clashesOf({ id: 'a', extensions: ['101'], devices: ['PJSIP/101'], active: true }, others)).toEqual([]);
      expect(clashesOf({ id: null, extensions: ['101'], devices: [], active: false }, others)).toEqual([]);
    });
  });
});
