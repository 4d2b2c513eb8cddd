import type { AbcCategory } from '../companies/abc-category';
import type { ClientRow, ParsedPhone } from './client-row';

/**
 * Deciding what an import row writes, without a database: `planRow` reads and updates an
 * ImportWorld (what the database holds about a chunk's rows, plus what the chunk's earlier rows
 * did to it) and collects the writes, which client-import.ts then sends in a few statements.
 */

export interface KnownCompany {
  id: string;
  name: string;
  tags: string[];
  abc: AbcCategory | null;
  responsibleId: string | null;
}

export interface KnownContact {
  id: string;
  name: string;
  position: string | null;
  companyId: string | null;
  responsibleId: string | null;
  /** Its numbers (read for contacts without a company: they are matched by name and number). */
  phones: Set<string>;
}

export interface KnownPhone {
  companyId: string | null;
  contactId: string | null;
  /** `company "Ремстрой" (id)`, for the conflict message. */
  owner: string;
}

export interface ImportWorld {
  /** By lower-cased name. */
  companies: Map<string, KnownCompany>;
  /** By contactKey(companyId, name), oldest first. */
  contacts: Map<string, KnownContact[]>;
  /** By E.164. */
  phones: Map<string, KnownPhone>;
  /** User id by lower-cased email; null: no such user. */
  responsibles: Map<string, string | null>;
}

export interface PlannedWrites {
  newCompanies: Map<string, KnownCompany>;
  changedCompanies: Map<string, KnownCompany>;
  newContacts: Map<string, KnownContact>;
  changedContacts: Map<string, KnownContact>;
  newPhones: { e164: string; raw: string; companyId: string | null; contactId: string | null }[];
}

/** What one row changed (ids), applied to the summary once the chunk is written. */
export interface RowChanges {
  companyCreated: string | null;
  companyUpdated: string | null;
  contactCreated: string | null;
  contactUpdated: string | null;
  phonesAdded: number;
}

export const contactKey = (companyId: string | null, name: string): string => `${companyId ?? ''}/${name.toLowerCase()}`;

export const ownerLabel = (kind: 'company' | 'contact', name: string, id: string): string => `${kind} "${name}" (${id})`;

export function emptyWorld(): ImportWorld {
  return { companies: new Map(), contacts: new Map(), phones: new Map(), responsibles: new Map() };
}

export function emptyWrites(): PlannedWrites {
  return { newCompanies: new Map(), changedCompanies: new Map(), newContacts: new Map(), changedContacts: new Map(), newPhones: [] };
}

/** What an import row changes on an existing company: tags are added, blanks change nothing. */
export function companyPatch(
  existing: Pick<KnownCompany, 'tags' | 'abc' | 'responsibleId'>,
  row: Pick<ClientRow, 'tags' | 'abc'>,
  responsibleId: string | null,
): Partial<Pick<KnownCompany, 'tags' | 'abc' | 'responsibleId'>> | null {
  const patch: Partial<Pick<KnownCompany, 'tags' | 'abc' | 'responsibleId'>> = {};
  const known = new Set(existing.tags.map((tag) => tag.toLowerCase()));
  const added = row.tags.filter((tag) => !known.has(tag.toLowerCase()));
  if (added.length) patch.tags = [...existing.tags, ...added];
  if (row.abc && row.abc !== existing.abc) patch.abc = row.abc;
  if (responsibleId && responsibleId !== existing.responsibleId) patch.responsibleId = responsibleId;
  return Object.keys(patch).length ? patch : null;
}

/**
 * One row: the company by name (created, or tags added / ABC and responsible replaced), the
 * contact under it by name (a contact without a company: by name and one of its numbers), the
 * numbers added to each. A number that belongs to someone else, or an unknown responsible, refuses
 * the whole row and changes nothing. The responsible column is the company's; a contact without a
 * company gets it itself.
 */
export function planRow(world: ImportWorld, writes: PlannedWrites, row: ClientRow, newId: () => string): RowChanges | { error: string } {
  const responsibleId = row.responsibleEmail ? (world.responsibles.get(row.responsibleEmail) ?? null) : null;
  if (row.responsibleEmail && !responsibleId) return { error: `unknown responsible: no user with email ${row.responsibleEmail}` };

  const company = row.company ? (world.companies.get(row.company.toLowerCase()) ?? null) : null;
  const companyConflict = conflictOf(world, row.companyPhones, (phone) => company !== null && phone.companyId === company.id);
  if (companyConflict) return companyConflict;

  let contact: KnownContact | null = null;
  if (row.contact) {
    if (row.company) contact = company ? (world.contacts.get(contactKey(company.id, row.contact))?.[0] ?? null) : null;
    else contact = standaloneContact(world, row.contact, row.contactPhones);
    const found = contact;
    const contactConflict = conflictOf(world, row.contactPhones, (phone) => found !== null && phone.contactId === found.id);
    if (contactConflict) return contactConflict;
  }

  const changes: RowChanges = { companyCreated: null, companyUpdated: null, contactCreated: null, contactUpdated: null, phonesAdded: 0 };
  let companyId: string | null = null;
  if (row.company) {
    let target = company;
    if (!target) {
      target = { id: newId(), name: row.company, tags: row.tags, abc: row.abc, responsibleId };
      world.companies.set(row.company.toLowerCase(), target);
      writes.newCompanies.set(target.id, target);
      changes.companyCreated = target.id;
    } else {
      const patch = companyPatch(target, row, responsibleId);
      if (patch) {
        Object.assign(target, patch);
        if (!writes.newCompanies.has(target.id)) writes.changedCompanies.set(target.id, target);
        changes.companyUpdated = target.id;
      }
    }
    companyId = target.id;
    changes.phonesAdded += addPhones(world, writes, row.companyPhones, { companyId, contactId: null, owner: ownerLabel('company', target.name, target.id) }, null);
  }

  if (row.contact) {
    const contactResponsible = companyId ? null : responsibleId;
    let target = contact;
    if (!target) {
      target = { id: newId(), name: row.contact, position: row.position, companyId, responsibleId: contactResponsible, phones: new Set() };
      const key = contactKey(companyId, row.contact);
      world.contacts.set(key, [...(world.contacts.get(key) ?? []), target]);
      writes.newContacts.set(target.id, target);
      changes.contactCreated = target.id;
    } else {
      let changed = false;
      if (row.position && row.position !== target.position) {
        target.position = row.position;
        changed = true;
      }
      if (contactResponsible && contactResponsible !== target.responsibleId) {
        target.responsibleId = contactResponsible;
        changed = true;
      }
      if (changed) {
        if (!writes.newContacts.has(target.id)) writes.changedContacts.set(target.id, target);
        changes.contactUpdated = target.id;
      }
    }
    changes.phonesAdded += addPhones(world, writes, row.contactPhones, { companyId: null, contactId: target.id, owner: ownerLabel('contact', target.name, target.id) }, target);
  }
  return changes;
}

function conflictOf(world: ImportWorld, phones: ParsedPhone[], mine: (phone: KnownPhone) => boolean): { error: string } | null {
  for (const phone of phones) {
    const known = world.phones.get(phone.e164);
    if (known && !mine(known)) return { error: `phone ${phone.e164} already belongs to ${known.owner}` };
  }
  return null;
}

/** A contact without a company is the same person when the name matches and one of the numbers is theirs (or, without numbers, one who has none). */
function standaloneContact(world: ImportWorld, name: string, phones: ParsedPhone[]): KnownContact | null {
  const candidates = world.contacts.get(contactKey(null, name)) ?? [];
  if (phones.length) return candidates.find((c) => phones.some((p) => c.phones.has(p.e164))) ?? null;
  return candidates.find((c) => c.phones.size === 0) ?? null;
}

function addPhones(world: ImportWorld, writes: PlannedWrites, phones: ParsedPhone[], owner: KnownPhone, contact: KnownContact | null): number {
  let added = 0;
  for (const phone of phones) {
    if (world.phones.has(phone.e164)) continue;
    world.phones.set(phone.e164, owner);
    contact?.phones.add(phone.e164);
    writes.newPhones.push({ e164: phone.e164, raw: phone.raw, companyId: owner.companyId, contactId: owner.contactId });
    added++;
  }
  return added;
}
