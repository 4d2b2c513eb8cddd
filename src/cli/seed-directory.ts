import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { hashPassword } from '../auth/auth.service';
import { Department } from '../auth/users/department.entity';
import { User } from '../auth/users/user.entity';
import { DomainError } from '../common/domain-error';
import { Company } from '../crm/companies/company.entity';
import { Contact } from '../crm/contacts/contact.entity';
import { assignPhones } from '../crm/phones/phone-ownership';
import { PhoneNumber } from '../crm/phones/phone-number.entity';
import { clashesOf } from '../people/people-directory';
import { parseDirectory, type DirectoryPerson, type KnownCaller } from '../telephony/calls/directory';

export interface SeedDirectoryOptions {
  /** Password for every person that has none yet (the file's own `password` wins). */
  passwordForAll?: string;
  /** Emails not given in the file are `<extension>@<emailDomain>`. */
  emailDomain?: string;
}

export interface SeedDirectorySummary {
  usersCreated: number;
  usersUpdated: number;
  usersUnchanged: number;
  departmentsCreated: number;
  /** Emails of people who cannot log in yet (no password in the file, none given). */
  usersWithoutPassword: string[];
  /** Lines (DIDs) read from the file; there is no table for them yet, routing takes them from its config. */
  linesSkipped: number;
  companiesCreated: number;
  contactsCreated: number;
  contactsUpdated: number;
  phonesAdded: number;
  /** Known callers that could not be stored (e.g. the number belongs to someone else). */
  problems: string[];
  /** Who is in the file, with the devices the route plan will dial for them (all of them at once). */
  people: { extension: string; name: string; role: string; email: string; devices: string[] }[];
  /** Devices that look like a lab's simulated phones (Local/…@managers): the live plan dials them too. */
  labDevices: string[];
}

/** Extra per-person fields the seed accepts beyond the lab-directory format. */
interface PersonExtras {
  email?: string;
  password?: string;
}

const logger = new Logger('SeedDirectory');

/** Query-builder condition on `u`: the user extension `:ext` reaches (the one rule, `extension_owners`). */
export const OWNER_OF_EXTENSION = 'u.id = (SELECT eo.user_id FROM extension_owners eo WHERE eo.extension = :ext)';

/**
 * Loads people (users with role, department, extensions, devices), lines and known callers
 * (phone → contact at a company, responsible = the person with that extension) from a file in
 * the format of lab-directory.json. Running it twice leaves the same data.
 */
export async function seedDirectory(dataSource: DataSource, json: unknown, options: SeedDirectoryOptions = {}): Promise<SeedDirectorySummary> {
  const directory = parseDirectory(json);
  const extras = personExtras(json);
  const summary: SeedDirectorySummary = {
    usersCreated: 0,
    usersUpdated: 0,
    usersUnchanged: 0,
    departmentsCreated: 0,
    usersWithoutPassword: [],
    linesSkipped: directory.lines.length,
    companiesCreated: 0,
    contactsCreated: 0,
    contactsUpdated: 0,
    phonesAdded: 0,
    problems: [],
    people: [],
    labDevices: [],
  };
  await dataSource.transaction(async (manager) => {
    const userIds = new Map<string, string>();
    for (const person of directory.users) {
      const extra = extras.get(person.extension) ?? {};
      userIds.set(person.extension, await upsertPerson(manager, person, extra, options, summary));
      const email = extra.email ?? `${person.extension}@${options.emailDomain ?? 'switchboard.local'}`.toLowerCase();
      summary.people.push({ extension: person.extension, name: person.name, role: person.role, email, devices: person.devices });
      summary.labDevices.push(...person.devices.filter((device) => /^Local\//i.test(device)));
    }
    for (const caller of directory.knownCallers) {
      const responsibleId = caller.responsible ? (userIds.get(caller.responsible) ?? (await userIdByExtension(manager, caller.responsible))) : null;
      if (caller.responsible && !responsibleId) {
        summary.problems.push(`known caller ${caller.phoneE164}: no person with extension ${caller.responsible}; stored without a responsible`);
      }
      await upsertKnownCaller(manager, caller, responsibleId, summary);
    }
  });
  if (directory.lines.length) {
    logger.log(`${directory.lines.length} line(s) (${directory.lines.join(', ')}) not stored: there is no lines table yet; routing uses the line (DID) of each call as it comes`);
  }
  return summary;
}

function personExtras(json: unknown): Map<string, PersonExtras> {
  const extras = new Map<string, PersonExtras>();
  const users = typeof json === 'object' && json !== null ? (json as { users?: unknown }).users : undefined;
  if (!Array.isArray(users)) return extras;
  for (const user of users as unknown[]) {
    if (typeof user !== 'object' || user === null) continue;
    const { extension, email, password } = user as Record<string, unknown>;
    if (typeof extension !== 'string' && typeof extension !== 'number') continue;
    extras.set(String(extension).trim(), {
      email: typeof email === 'string' && email.trim() ? email.trim().toLowerCase() : undefined,
      password: typeof password === 'string' && password ? password : undefined,
    });
  }
  return extras;
}

async function upsertPerson(manager: EntityManager, person: DirectoryPerson, extra: PersonExtras, options: SeedDirectoryOptions, summary: SeedDirectorySummary): Promise<string> {
  const departmentId = person.department ? await departmentIdOf(manager, person.department, summary) : null;
  const repo = manager.getRepository(User);
  const email = extra.email ?? `${person.extension}@${options.emailDomain ?? 'switchboard.local'}`.toLowerCase();
  // The same person is the one this extension reaches (an admin may have changed the email), else this email.
  const existing =
    (await repo.createQueryBuilder('u').addSelect('u.passwordHash').where(OWNER_OF_EXTENSION, { ext: person.extension }).getOne()) ??
    (await repo.createQueryBuilder('u').addSelect('u.passwordHash').where('u.email = :email', { email }).getOne());
  const password = extra.password ?? options.passwordForAll;
  const wanted = {
    name: person.name,
    role: person.role,
    departmentId,
    extensions: existing ? union(existing.extensions, [person.extension]) : [person.extension],
    devices: existing ? union(existing.devices, person.devices) : person.devices,
  };
  // The same rule as saving a person through the API: an extension or device another active
  // person holds (someone not in this file) is refused, naming both, not given to two people.
  const others = await repo.find({ where: { active: true }, select: { id: true, name: true, extensions: true, devices: true, active: true } });
  const [clash] = clashesOf({ id: existing?.id ?? null, extensions: wanted.extensions, devices: wanted.devices, active: existing?.active ?? true }, others);
  if (clash) {
    throw new DomainError('conflict', `${person.name} (${person.extension}): ${clash.kind} ${clash.value} already belongs to ${clash.holder.name} (${clash.holder.id}); change it there or in the file`);
  }
  if (!existing) {
    const saved = await repo.save(repo.create({ ...wanted, email, passwordHash: password ? await hashPassword(password) : null }));
    summary.usersCreated++;
    if (!password) summary.usersWithoutPassword.push(email);
    return saved.id;
  }
  const changed =
    existing.name !== wanted.name ||
    existing.role !== wanted.role ||
    existing.departmentId !== wanted.departmentId ||
    !sameList(existing.extensions, wanted.extensions) ||
    !sameList(existing.devices, wanted.devices);
  const setPassword = !existing.passwordHash && password !== undefined;
  if (changed || setPassword) {
    await repo.update(existing.id, { ...wanted, ...(setPassword ? { passwordHash: await hashPassword(password) } : {}) });
    summary.usersUpdated++;
  } else summary.usersUnchanged++;
  if (!existing.passwordHash && !setPassword) summary.usersWithoutPassword.push(existing.email);
  return existing.id;
}

async function departmentIdOf(manager: EntityManager, name: string, summary: SeedDirectorySummary): Promise<string> {
  const repo = manager.getRepository(Department);
  const existing = await repo.findOne({ where: { name } });
  if (existing) return existing.id;
  summary.departmentsCreated++;
  return (await repo.save(repo.create({ name }))).id;
}

async function userIdByExtension(manager: EntityManager, extension: string): Promise<string | null> {
  const user = await manager.getRepository(User).createQueryBuilder('u').where(OWNER_OF_EXTENSION, { ext: extension }).getOne();
  return user?.id ?? null;
}

/** The caller's number on a contact (named, at the company when given), responsible = that person; the company gets them too when it has nobody. */
async function upsertKnownCaller(manager: EntityManager, caller: KnownCaller, responsibleId: string | null, summary: SeedDirectorySummary): Promise<void> {
  let companyId: string | null = null;
  if (caller.company) {
    const repo = manager.getRepository(Company);
    let company = await repo.createQueryBuilder('c').where('lower(c.name) = lower(:name)', { name: caller.company }).getOne();
    if (!company) {
      company = await repo.save(repo.create({ name: caller.company, responsibleId }));
      summary.companiesCreated++;
    } else if (!company.responsibleId && responsibleId) await repo.update(company.id, { responsibleId });
    companyId = company.id;
  }
  const phone = { e164: caller.phoneE164, raw: caller.phone };
  const owner = await manager.getRepository(PhoneNumber).findOne({ where: { e164: caller.phoneE164 } });
  if (!caller.contact) {
    // A number with only a company: the company's number.
    if (companyId) await assignKnown(manager, { companyId }, phone, owner, summary);
    return;
  }
  const contacts = manager.getRepository(Contact);
  let contact: Contact | null;
  if (companyId) {
    contact = await contacts
      .createQueryBuilder('c')
      .where('c.company_id = :companyId AND lower(c.name) = lower(:name)', { companyId, name: caller.contact })
      .orderBy('c.created_at')
      .getOne();
  } else {
    // A person without a company is the one who already has this number, if the name matches.
    const holder = owner?.contactId ? await contacts.findOne({ where: { id: owner.contactId } }) : null;
    contact = holder && !holder.companyId && holder.name.toLowerCase() === caller.contact.toLowerCase() ? holder : null;
  }
  if (!contact) {
    contact = await contacts.save(contacts.create({ name: caller.contact, companyId, responsibleId }));
    summary.contactsCreated++;
  } else if (contact.responsibleId !== responsibleId && responsibleId) {
    await contacts.update(contact.id, { responsibleId });
    summary.contactsUpdated++;
  }
  await assignKnown(manager, { contactId: contact.id }, phone, owner, summary);
}

/** assignPhones checks ownership before writing, so a conflict leaves nothing behind: note it and go on. */
async function assignKnown(
  manager: EntityManager,
  owner: { companyId: string } | { contactId: string },
  phone: { e164: string; raw: string },
  current: PhoneNumber | null,
  summary: SeedDirectorySummary,
): Promise<void> {
  try {
    await assignPhones(manager, owner, [phone], 'add');
    if (!current) summary.phonesAdded++;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    summary.problems.push(`known caller ${phone.e164}: ${error.message}`);
  }
}

function union(a: string[], b: string[]): string[] {
  return [...a, ...b.filter((item) => !a.includes(item))];
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
