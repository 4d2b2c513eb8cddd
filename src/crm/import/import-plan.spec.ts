import type { ClientRow } from './client-row';
import { contactKey, emptyWorld, emptyWrites, planRow, type ImportWorld } from './import-plan';

const row = (overrides: Partial<ClientRow>): ClientRow => ({
  company: null,
  tags: [],
  abc: null,
  companyPhones: [],
  contact: null,
  position: null,
  contactPhones: [],
  responsibleEmail: null,
  ...overrides,
});
const phone = (e164: string) => ({ e164, raw: e164 });

function ids(): () => string {
  let n = 0;
  return () => `id-${++n}`;
}

describe('planRow', () => {
  it('rows of one chunk see each other: the second row updates the company the first created, counted as created once', () => {
    const world = emptyWorld();
    const writes = emptyWrites();
    const newId = ids();
    expect(planRow(world, writes, row({ company: 'Ремстрой', tags: ['VIP'], companyPhones: [phone('+74951234567')] }), newId)).toEqual({
      companyCreated: 'id-1',
      companyUpdated: null,
      contactCreated: null,
      contactUpdated: null,
      phonesAdded: 1,
    });
    expect(planRow(world, writes, row({ company: 'ремстрой', tags: ['постоянный'], abc: 'A', contact: 'Анна', contactPhones: [phone('+79161234567')] }), newId)).toEqual({
      companyCreated: null,
      companyUpdated: 'id-1',
      contactCreated: 'id-2',
      contactUpdated: null,
      phonesAdded: 1,
    });
    expect([...writes.newCompanies.values()]).toEqual([{ id: 'id-1', name: 'Ремстрой', tags: ['VIP', 'постоянный'], abc: 'A', responsibleId: null }]);
    expect(writes.changedCompanies.size).toBe(0);
    expect(writes.newPhones.map((p) => [p.e164, p.companyId, p.contactId])).toEqual([
      ['+74951234567', 'id-1', null],
      ['+79161234567', null, 'id-2'],
    ]);
  });

  it('a number of someone else refuses the whole row and changes nothing', () => {
    const world: ImportWorld = emptyWorld();
    world.phones.set('+79160000001', { companyId: null, contactId: 'c-1', owner: 'contact "Вера" (c-1)' });
    const writes = emptyWrites();
    const before = JSON.stringify([...world.companies, ...world.contacts, ...world.phones]);
    expect(planRow(world, writes, row({ company: 'Новая', contact: 'Глеб', contactPhones: [phone('+79160000001')] }), ids())).toEqual({
      error: 'phone +79160000001 already belongs to contact "Вера" (c-1)',
    });
    expect(JSON.stringify([...world.companies, ...world.contacts, ...world.phones])).toBe(before);
    expect(writes).toEqual(emptyWrites());
  });

  it('an unknown responsible refuses the row', () => {
    const world = emptyWorld();
    world.responsibles.set('nobody@agency.test', null);
    expect(planRow(world, emptyWrites(), row({ company: 'X', responsibleEmail: 'nobody@agency.test' }), ids())).toEqual({ error: 'unknown responsible: no user with email nobody@agency.test' });
  });

  it('a contact without a company is the one with the same name and one of the numbers; the responsible column is theirs', () => {
    const world = emptyWorld();
    world.responsibles.set('vera@agency.test', 'u-vera');
    world.contacts.set(contactKey(null, 'Дмитрий Орлов'), [
      { id: 'c-other', name: 'Дмитрий Орлов', position: null, companyId: null, responsibleId: null, phones: new Set(['+79030000000']) },
      { id: 'c-1', name: 'Дмитрий Орлов', position: null, companyId: null, responsibleId: null, phones: new Set(['+79034045060']) },
    ]);
    world.phones.set('+79034045060', { companyId: null, contactId: 'c-1', owner: 'contact "Дмитрий Орлов" (c-1)' });
    const writes = emptyWrites();
    expect(planRow(world, writes, row({ contact: 'дмитрий орлов', position: 'Частный клиент', contactPhones: [phone('+79034045060')], responsibleEmail: 'vera@agency.test' }), ids())).toEqual({
      companyCreated: null,
      companyUpdated: null,
      contactCreated: null,
      contactUpdated: 'c-1',
      phonesAdded: 0,
    });
    expect([...writes.changedContacts.values()]).toMatchObject([{ id: 'c-1', position: 'Частный клиент', responsibleId: 'u-vera' }]);
  });
});
