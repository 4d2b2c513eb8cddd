import { In, type EntityManager } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { normalizePhone } from '../../common/phone-number';
import { Company } from '../companies/company.entity';
import { Contact } from '../contacts/contact.entity';
import { PhoneNumber } from './phone-number.entity';

export type PhoneOwner = { companyId: string; contactId?: undefined } | { contactId: string; companyId?: undefined };

/** Normalizes raw numbers, naming the first bad one (field e.g. `phones[1]`) in a 400. */
export function normalizePhones(raws: string[], region: string, field = 'phones'): { e164: string; raw: string }[] {
  const seen = new Set<string>();
  const result: { e164: string; raw: string }[] = [];
  raws.forEach((raw, index) => {
    const e164 = normalizePhone(raw, region);
    if (!e164) throw new DomainError('invalid', `${field}[${index}] is not a phone number: ${JSON.stringify(raw.slice(0, 40))}`, { field: `${field}[${index}]` });
    if (!seen.has(e164)) result.push({ e164, raw });
    seen.add(e164);
  });
  return result;
}

/**
 * Gives these numbers to the owner. `replace` also removes the owner's other numbers.
 * A number that belongs to someone else is a 409 that says who owns it.
 */
export async function assignPhones(
  manager: EntityManager,
  owner: PhoneOwner,
  phones: { e164: string; raw: string }[],
  mode: 'replace' | 'add',
): Promise<void> {
  const repo = manager.getRepository(PhoneNumber);
  const existing = phones.length ? await repo.find({ where: { e164: In(phones.map((p) => p.e164)) } }) : [];
  for (const phone of existing) {
    const mine = owner.companyId ? phone.companyId === owner.companyId : phone.contactId === owner.contactId;
    if (!mine) throw new DomainError('conflict', `phone ${phone.e164} already belongs to ${await describeOwner(manager, phone)}`, { phone: phone.e164, ownerCompanyId: phone.companyId, ownerContactId: phone.contactId });
  }
  if (mode === 'replace') {
    const keep = phones.map((p) => p.e164);
    const query = repo.createQueryBuilder().delete().where(owner.companyId ? 'company_id = :id' : 'contact_id = :id', { id: owner.companyId ?? owner.contactId });
    if (keep.length) query.andWhere('e164 NOT IN (:...keep)', { keep });
    await query.execute();
  }
  const known = new Set(existing.map((p) => p.e164));
  const fresh = phones.filter((p) => !known.has(p.e164));
  if (fresh.length) {
    await repo.insert(fresh.map((p) => ({ e164: p.e164, raw: p.raw, companyId: owner.companyId ?? null, contactId: owner.contactId ?? null })));
  }
}

async function describeOwner(manager: EntityManager, phone: PhoneNumber): Promise<string> {
  if (phone.contactId) {
    const contact = await manager.getRepository(Contact).findOne({ where: { id: phone.contactId } });
    return `contact "${contact?.name ?? phone.contactId}" (${phone.contactId})`;
  }
  const company = await manager.getRepository(Company).findOne({ where: { id: phone.companyId ?? '' } });
  return `company "${company?.name ?? phone.companyId}" (${phone.companyId})`;
}
