import { In, type EntityManager } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { Company } from '../companies/company.entity';
import { Contact } from '../contacts/contact.entity';
import { PhoneNumber } from './phone-number.entity';
import { planPhoneAssignment, type OwnedPhone, type PhoneHolder, type PhoneOwner } from './phone-rules';

// The edge of phone ownership: the rules (normalizing, who owns a number, what an assignment
// writes) are plain functions in phone-rules.ts; this file runs their queries.

/**
 * Gives these numbers to the owner. `replace` also removes the owner's other numbers.
 * A number that belongs to someone else is a 409 that says who owns it.
 */
export async function assignPhones(
  manager: EntityManager,
  owner: PhoneOwner,
  phones: OwnedPhone[],
  mode: 'replace' | 'add',
): Promise<void> {
  const repo = manager.getRepository(PhoneNumber);
  const existing = phones.length ? await repo.find({ where: { e164: In(phones.map((p) => p.e164)) } }) : [];
  const plan = planPhoneAssignment(owner, phones, existing);
  if (!plan.ok) {
    const phone = plan.taken;
    throw new DomainError('conflict', `phone ${phone.e164} already belongs to ${await describeOwner(manager, phone)}`, { phone: phone.e164, ownerCompanyId: phone.companyId, ownerContactId: phone.contactId });
  }
  if (mode === 'replace') {
    const keep = phones.map((p) => p.e164);
    const query = repo.createQueryBuilder().delete().where(owner.companyId ? 'company_id = :id' : 'contact_id = :id', { id: owner.companyId ?? owner.contactId });
    if (keep.length) query.andWhere('e164 NOT IN (:...keep)', { keep });
    await query.execute();
  }
  if (plan.fresh.length) {
    await repo.insert(plan.fresh.map((p) => ({ e164: p.e164, raw: p.raw, companyId: owner.companyId ?? null, contactId: owner.contactId ?? null })));
  }
}

async function describeOwner(manager: EntityManager, phone: PhoneHolder): Promise<string> {
  if (phone.contactId) {
    const contact = await manager.getRepository(Contact).findOne({ where: { id: phone.contactId } });
    return `contact "${contact?.name ?? phone.contactId}" (${phone.contactId})`;
  }
  const company = await manager.getRepository(Company).findOne({ where: { id: phone.companyId ?? '' } });
  return `company "${company?.name ?? phone.companyId}" (${phone.companyId})`;
}
