import * as argon2 from 'argon2';
import type { DataSource } from 'typeorm';
import { Department } from '../../src/auth/users/department.entity';
import { User } from '../../src/auth/users/user.entity';
import { readRows, text } from '../../src/common/sql-rows';
import type { Role } from '../../src/people/person';
import { Company } from '../../src/crm/companies/company.entity';
import { Contact } from '../../src/crm/contacts/contact.entity';
import { PhoneNumber } from '../../src/crm/phones/phone-number.entity';

let counter = 0;
const next = (): number => ++counter;

/** One real argon2 hash per password for the whole test file: specs seed the same team before every test. */
const hashes = new Map<string, Promise<string>>();
const hashOf = (password: string): Promise<string> => {
  let hash = hashes.get(password);
  if (!hash) hashes.set(password, (hash = argon2.hash(password)));
  return hash;
};

/** Test data builders on the real database (immich's ctx.newUser() habit). */
export class Factories {
  constructor(private readonly dataSource: DataSource) {}

  async user(input: {
    role: Role;
    password?: string;
    name?: string;
    email?: string;
    extensions?: string[];
    devices?: string[];
    dnd?: boolean;
    departmentId?: string | null;
  }): Promise<User> {
    const n = next();
    // As the API would refuse it (a legacy clash is written with raw SQL where a test needs one).
    const held = readRows('held extensions', await this.dataSource.query('SELECT extension FROM extension_owners WHERE extension = ANY($1::text[])', [input.extensions ?? []]), { extension: text });
    if (held.length > 0) throw new Error(`factories.user: extension ${held.map((row) => row.extension).join(', ')} belongs to another active user`);
    const repo = this.dataSource.getRepository(User);
    const saved = await repo.save(
      repo.create({
        name: input.name ?? `User ${n}`,
        email: input.email ?? `user${n}-${Date.now()}@example.com`,
        role: input.role,
        passwordHash: input.password ? await hashOf(input.password) : null,
        extensions: input.extensions ?? [],
        devices: input.devices ?? [],
        dnd: input.dnd ?? false,
        departmentId: input.departmentId ?? null,
      }),
    );
    return saved;
  }

  async department(name = `Department ${next()}`): Promise<Department> {
    return this.dataSource.getRepository(Department).save({ name });
  }

  async company(input: Omit<Partial<Company>, 'phones'> & { phones?: string[] } = {}): Promise<Company> {
    const { phones, ...rest } = input;
    const repo = this.dataSource.getRepository(Company);
    const company = await repo.save(repo.create({ name: `Company ${next()}`, ...rest }));
    for (const e164 of phones ?? []) await this.phone({ e164, companyId: company.id });
    return company;
  }

  async contact(input: Omit<Partial<Contact>, 'phones'> & { phones?: string[] } = {}): Promise<Contact> {
    const { phones, ...rest } = input;
    const repo = this.dataSource.getRepository(Contact);
    const contact = await repo.save(repo.create({ name: `Contact ${next()}`, ...rest }));
    for (const e164 of phones ?? []) await this.phone({ e164, contactId: contact.id });
    return contact;
  }

  /** A number of a contact or a company (exactly one); `raw` is how it was typed (the E.164 form unless given). */
  async phone(input: { e164: string; raw?: string } & ({ contactId: string; companyId?: never } | { companyId: string; contactId?: never })): Promise<PhoneNumber> {
    return this.dataSource.getRepository(PhoneNumber).save({ e164: input.e164, raw: input.raw ?? input.e164, contactId: input.contactId ?? null, companyId: input.companyId ?? null });
  }
}
