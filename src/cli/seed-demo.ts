import type { DataSource, EntityManager } from 'typeorm';
import { Company } from '../crm/companies/company.entity';
import { Contact } from '../crm/contacts/contact.entity';
import { Deal } from '../crm/deals/deal.entity';
import { PhoneNumber } from '../crm/phones/phone-number.entity';
import { Task } from '../crm/tasks/task.entity';
import { User } from '../auth/users/user.entity';
import { hashPassword } from '../auth/auth.service';
import { demoCompanies, demoPrivateClients, RECORDED_CLIENTS, type DemoCompany } from './demo-data';
import { OWNER_OF_EXTENSION, seedDirectory, type SeedDirectorySummary } from './seed-directory';

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_ADMIN_EMAIL = 'admin@switchboard.local';

export interface SeedDemoOptions {
  /** Password of every demo person (default DEMO_PASSWORD — a demo-only password). */
  password?: string;
  companies?: number;
  privateClients?: number;
}

export interface SeedDemoSummary {
  team: SeedDirectorySummary;
  adminEmail: string;
  adminCreated: boolean;
  password: string;
  companiesCreated: number;
  contactsCreated: number;
  phonesAdded: number;
  dealsCreated: number;
  tasksCreated: number;
}

/**
 * The demo sales team in the directory format: managers 101–103 and head of sales 200 in "sales",
 * CEO 300, owner 400 — the lab PBX's people, ringing on the devices its recordings dial (the lab's
 * simulated phones `Local/<ext>@managers` and its SIP phones `PJSIP/<ext>`), so the recorded calls
 * that `npm run demo` plays reach them.
 */
export const DEMO_TEAM = {
  comment: 'Demo team (npm run seed -- --demo)',
  defaultRegion: 'RU',
  lines: ['74951112233'],
  users: [
    { extension: '101', name: 'Анна Петрова', role: 'manager', department: 'sales' },
    { extension: '102', name: 'Борис Иванов', role: 'manager', department: 'sales' },
    { extension: '103', name: 'Вера Сидорова', role: 'manager', department: 'sales' },
    { extension: '200', name: 'Григорий Орлов', role: 'head_of_sales', department: 'sales' },
    { extension: '300', name: 'Дмитрий Волков', role: 'ceo', department: null },
    { extension: '400', name: 'Елена Соколова', role: 'owner', department: null },
  ].map((person) => ({ ...person, devices: [`PJSIP/${person.extension}`, `Local/${person.extension}@managers`] })),
  knownCallers: [],
};

/**
 * Fills a database with a demo team, an admin, the clients who call in the demo's recordings
 * (RECORDED_CLIENTS), a few hundred agency clients with contacts and phones, deals in every stage
 * and their tasks. Idempotent: companies already there are left
 * alone (with their deals and tasks), so a second run adds nothing.
 */
export async function seedDemo(dataSource: DataSource, options: SeedDemoOptions = {}): Promise<SeedDemoSummary> {
  const password = options.password ?? DEMO_PASSWORD;
  const team = await seedDirectory(dataSource, DEMO_TEAM, { passwordForAll: password });
  const summary: SeedDemoSummary = { team, adminEmail: DEMO_ADMIN_EMAIL, adminCreated: false, password, companiesCreated: 0, contactsCreated: 0, phonesAdded: 0, dealsCreated: 0, tasksCreated: 0 };

  await dataSource.transaction(async (manager) => {
    summary.adminCreated = await ensureAdmin(manager, password);
    const managers: string[] = [];
    for (const extension of ['101', '102', '103']) managers.push(await userIdByExtension(manager, extension));
    const head = await userIdByExtension(manager, '200');
    // The callers of the recordings npm run demo plays first: their calls pop cards of known clients.
    for (const company of [...RECORDED_CLIENTS, ...demoCompanies(options.companies ?? 300)]) await addCompany(manager, company, managers, head, summary);
    for (const [index, person] of demoPrivateClients(options.privateClients ?? 20).entries()) {
      if (await manager.getRepository(PhoneNumber).exists({ where: { e164: person.phone } })) continue;
      const contact = await manager.getRepository(Contact).save({ name: person.name, position: person.position, companyId: null, responsibleId: managers[index % 3] });
      await manager.getRepository(PhoneNumber).insert({ e164: person.phone, raw: person.phone, contactId: contact.id, companyId: null });
      summary.contactsCreated++;
      summary.phonesAdded++;
    }
  });
  return summary;
}

async function ensureAdmin(manager: EntityManager, password: string): Promise<boolean> {
  const repo = manager.getRepository(User);
  if (await repo.exists({ where: { email: DEMO_ADMIN_EMAIL } })) return false;
  await repo.insert({ name: 'Администратор', email: DEMO_ADMIN_EMAIL, role: 'admin', passwordHash: await hashPassword(password), extensions: [], devices: [] });
  return true;
}

async function userIdByExtension(manager: EntityManager, extension: string): Promise<string> {
  const user = await manager.getRepository(User).createQueryBuilder('u').where(OWNER_OF_EXTENSION, { ext: extension }).getOneOrFail();
  return user.id;
}

async function addCompany(manager: EntityManager, demo: DemoCompany, managers: string[], head: string, summary: SeedDemoSummary): Promise<void> {
  const companies = manager.getRepository(Company);
  if (await companies.createQueryBuilder('c').where('lower(c.name) = lower(:name)', { name: demo.name }).getExists()) return;
  const numbers = [demo.phone, ...demo.contacts.map((c) => c.phone)];
  if (await manager.getRepository(PhoneNumber).createQueryBuilder('p').where('p.e164 IN (:...numbers)', { numbers }).getExists()) return;

  const responsibleId = managers[demo.manager];
  const company = await companies.save({ name: demo.name, tags: demo.tags, abcCategory: demo.abc, responsibleId });
  await manager.getRepository(PhoneNumber).insert({ e164: demo.phone, raw: demo.phone, companyId: company.id, contactId: null });
  const contactIds: string[] = [];
  for (const person of demo.contacts) {
    const contact = await manager.getRepository(Contact).save({ name: person.name, position: person.position, companyId: company.id, responsibleId: null });
    await manager.getRepository(PhoneNumber).insert({ e164: person.phone, raw: person.phone, contactId: contact.id, companyId: null });
    contactIds.push(contact.id);
  }
  summary.companiesCreated++;
  summary.contactsCreated += demo.contacts.length;
  summary.phonesAdded += numbers.length;
  if (!demo.deal) return;

  const deal = demo.deal;
  const owner = deal.inLeadExchange ? null : deal.stage === 'lost' ? head : responsibleId;
  const saved = await manager.getRepository(Deal).save({
    title: deal.title,
    stageId: deal.stage,
    budget: String(deal.budget),
    responsibleId: owner,
    companyId: company.id,
    contactId: contactIds[0] ?? null,
    source: deal.stage === 'unsorted' ? 'phone' : 'manual',
    line: deal.stage === 'unsorted' ? '74951112233' : null,
    closeReason: deal.closeReason,
  });
  summary.dealsCreated++;
  if (['won', 'lost', 'conditional_refusal'].includes(deal.stage)) return;
  // Every open deal has a task; lead-exchange deals wait for a callback from whoever takes them.
  const due = new Date(Date.now() + deal.taskInDays * 86_400_000);
  const missedAt = deal.inLeadExchange ? new Date(due.getTime() - 15 * 60_000) : null;
  await manager.getRepository(Task).insert({
    title: deal.inLeadExchange ? `Перезвонить: ${demo.phone}` : deal.taskTitle,
    kind: deal.inLeadExchange ? 'callback' : 'call',
    dealId: saved.id,
    companyId: company.id,
    contactId: contactIds[0] ?? null,
    phone: deal.inLeadExchange ? demo.phone : null,
    assigneeId: owner,
    dueAt: due,
    missedCalls: missedAt ? 1 : 0,
    firstMissedAt: missedAt,
    lastMissedAt: missedAt,
  });
  summary.tasksCreated++;
}
