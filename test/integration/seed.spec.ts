import { readFileSync } from 'node:fs';
import * as argon2 from 'argon2';
import { IsNull } from 'typeorm';
import { User } from '../../src/auth/users/user.entity';
import { Department } from '../../src/auth/users/department.entity';
import { RECORDED_CLIENTS } from '../../src/cli/demo-data';
import { DEMO_ADMIN_EMAIL, seedDemo } from '../../src/cli/seed-demo';
import { seedDirectory } from '../../src/cli/seed-directory';
import { parseSeedArgs } from '../../src/cli/seed';
import { Company } from '../../src/crm/companies/company.entity';
import { Contact } from '../../src/crm/contacts/contact.entity';
import { Deal } from '../../src/crm/deals/deal.entity';
import { PhoneNumber } from '../../src/crm/phones/phone-number.entity';
import { Task } from '../../src/crm/tasks/task.entity';
import { createTestApp, type TestApp } from '../support/test-app';
import { LAB_DIRECTORY_FILE } from '../support/fixtures';
import type { ClientCard } from '../../src/crm/lookup/client-card';
import { parseDirectory } from '../../src/telephony/calls/directory';

const lab: unknown = JSON.parse(readFileSync(LAB_DIRECTORY_FILE, 'utf8'));

describe('seed (real Postgres)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const counts = async (): Promise<number[]> =>
    Promise.all([User, Department, Company, Contact, PhoneNumber, Deal, Task].map((entity) => t.dataSource.getRepository(entity).count()));

  /** The responsible manager of a caller, the way the caller card decides it: the contact's, else the company's. */
  async function responsibleExtensionOf(e164: string): Promise<string | null> {
    const rows: { extensions: string[] }[] = await t.dataSource.query(
      `SELECT u.extensions FROM phone_numbers p
         LEFT JOIN contacts c ON c.id = p.contact_id
         LEFT JOIN companies co ON co.id = coalesce(p.company_id, c.company_id)
         JOIN users u ON u.id = coalesce(c.responsible_id, co.responsible_id)
        WHERE p.e164 = $1`,
      [e164],
    );
    return rows[0]?.extensions[0] ?? null;
  }

  describe('--directory with lab-directory.json', () => {
    beforeAll(() => t.reset());

    it('creates the six people with roles, departments, extensions and devices, and no password', async () => {
      const summary = await seedDirectory(t.dataSource, lab);
      expect(summary).toMatchObject({ usersCreated: 6, usersUpdated: 0, departmentsCreated: 1, linesSkipped: 2, contactsCreated: 7, companiesCreated: 7, phonesAdded: 7, problems: [] });
      expect(summary.usersWithoutPassword).toHaveLength(6);
      const users = await t.dataSource.getRepository(User).find({ relations: { department: true }, order: { email: 'ASC' } });
      expect(users.map((u) => [u.email, u.role, u.department?.name ?? null, u.extensions, u.devices])).toEqual([
        ['101@switchboard.local', 'manager', 'sales', ['101'], ['Local/101@managers', 'PJSIP/101']],
        ['102@switchboard.local', 'manager', 'sales', ['102'], ['Local/102@managers', 'PJSIP/102']],
        ['103@switchboard.local', 'manager', 'sales', ['103'], ['Local/103@managers', 'PJSIP/103']],
        ['200@switchboard.local', 'head_of_sales', 'sales', ['200'], ['Local/200@managers', 'PJSIP/200']],
        ['300@switchboard.local', 'ceo', null, ['300'], ['Local/300@managers', 'PJSIP/300']],
        ['400@switchboard.local', 'owner', null, ['400'], ['Local/400@managers', 'PJSIP/400']],
      ]);
      expect(users.find((u) => u.extensions[0] === '101')?.name).toBe('Anna Petrova');
    });

    it.each([
      ['+79161234567', '101'],
      ['+74951234567', '101'],
      ['+79035550101', '102'],
      ['+79266660303', '103'],
      ['+79104445566', '102'],
      ['+79997770011', '103'],
      ['+74957778899', '101'],
    ])('known caller %s resolves to the person at extension %s', async (e164, extension) => {
      expect(await responsibleExtensionOf(e164)).toBe(extension);
    });

    it('puts the known callers on named contacts at their companies', async () => {
      const phone = await t.dataSource.getRepository(PhoneNumber).findOneOrFail({ where: { e164: '+74951234567' }, relations: { contact: { company: true } } });
      expect(phone.contact?.name).toBe('Oleg Kuznetsov');
      expect(phone.contact?.company?.name).toBe('Great Rivers Expo');
      expect(phone.raw).toBe('84951234567');
    });

    it('is idempotent: a second run changes nothing', async () => {
      const before = await counts();
      const summary = await seedDirectory(t.dataSource, lab);
      expect(summary).toMatchObject({ usersCreated: 0, usersUpdated: 0, usersUnchanged: 6, departmentsCreated: 0, companiesCreated: 0, contactsCreated: 0, contactsUpdated: 0, phonesAdded: 0 });
      expect(await counts()).toEqual(before);
    });

    it('sets a password for people without one with --password-for-all, then they can log in', async () => {
      const summary = await seedDirectory(t.dataSource, lab, { passwordForAll: 'lab-password-1' });
      expect(summary).toMatchObject({ usersUpdated: 6, usersWithoutPassword: [] });
      const login = await t.http.post('/api/auth/login').send({ email: '200@switchboard.local', password: 'lab-password-1' }).expect(200);
      expect(login.body.user).toMatchObject({ role: 'head_of_sales', extensions: ['200'] });
    });

    it('finds people again by extension (renamed, email and password kept); takes email and password of new people from the file', async () => {
      const file = {
        users: [
          { extension: '101', name: 'Anna Petrova-Smirnova', role: 'manager', department: 'sales', email: 'anna@agency.test', password: 'other-password', devices: ['PJSIP/101'] },
          { extension: '500', name: 'Quality Control', role: 'qa', email: 'QA@Agency.test', password: 'qa-password-1' },
        ],
      };
      const summary = await seedDirectory(t.dataSource, file);
      expect(summary).toMatchObject({ usersCreated: 1, usersUpdated: 1, usersWithoutPassword: [] });
      const anna = await t.dataSource.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where(`'101' = ANY(u.extensions)`).getOneOrFail();
      expect(anna).toMatchObject({ name: 'Anna Petrova-Smirnova', email: '101@switchboard.local', devices: ['Local/101@managers', 'PJSIP/101'] });
      expect(await argon2.verify(anna.passwordHash ?? '', 'lab-password-1')).toBe(true);
      await t.http.post('/api/auth/login').send({ email: 'qa@agency.test', password: 'qa-password-1' }).expect(200);
    });

    it("refuses a device another active person (not in the file) holds, naming both, and writes nothing", async () => {
      const before = await counts();
      const file = { users: [{ extension: '501', name: 'Oleg New', role: 'manager', devices: ['PJSIP/101'] }] };
      await expect(seedDirectory(t.dataSource, file)).rejects.toThrow(/Oleg New \(501\): device PJSIP\/101 already belongs to Anna Petrova-Smirnova/);
      expect(await counts()).toEqual(before);
    });
  });

  describe('--demo', () => {
    beforeAll(() => t.reset());

    it('fills an empty database with a team, an admin, clients, deals and tasks', async () => {
      const summary = await seedDemo(t.dataSource, { companies: 120, privateClients: 10 });
      expect(summary.team).toMatchObject({ usersCreated: 6, usersWithoutPassword: [] });
      expect(summary).toMatchObject({ adminCreated: true, companiesCreated: RECORDED_CLIENTS.length + 120, password: 'demo-password' });
      expect(summary.contactsCreated).toBeGreaterThan(120);
      expect(summary.dealsCreated).toBeGreaterThan(30);
      expect(summary.tasksCreated).toBeGreaterThan(10);

      const stages = await t.dataSource.query(`SELECT DISTINCT stage_id FROM deals`);
      expect(stages.length).toBeGreaterThanOrEqual(6);
      const exchange = await t.dataSource.getRepository(Deal).count({ where: { stageId: 'unsorted', responsibleId: IsNull() } });
      expect(exchange).toBeGreaterThan(0);
      const openWithoutTask = await t.dataSource.query(
        `SELECT d.id FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id WHERE NOT s.is_closed AND NOT EXISTS (SELECT 1 FROM tasks k WHERE k.deal_id = d.id)`,
      );
      expect(openWithoutTask).toEqual([]);
      const badPhones = await t.dataSource.query(`SELECT e164 FROM phone_numbers WHERE e164 !~ '^\\+7\\d{10}$'`);
      expect(badPhones).toEqual([]);

      await t.http.post('/api/auth/login').send({ email: DEMO_ADMIN_EMAIL, password: 'demo-password' }).expect(200);
      await t.http.post('/api/auth/login').send({ email: '101@switchboard.local', password: 'demo-password' }).expect(200);
    });

    it('the callers of the recordings npm run demo plays are clients of the manager the lab directory names, with an open deal', async () => {
      const token = (await t.http.post('/api/auth/login').send({ email: DEMO_ADMIN_EMAIL, password: 'demo-password' }).expect(200)).body.accessToken as string;
      const { knownCallers, users } = parseDirectory(lab);
      expect(knownCallers).toHaveLength(7);
      for (const caller of knownCallers) {
        const card = (await t.http.get('/api/clients/lookup').query({ phone: caller.phone }).set('Authorization', `Bearer ${token}`).expect(200)).body as ClientCard;
        expect({ phone: caller.phoneE164, responsible: card.responsible?.extensions }).toEqual({ phone: caller.phoneE164, responsible: [caller.responsible] });
        expect(card.company?.name).toMatch(/«.+»/);
        expect(card.openDeals).toHaveLength(1);
      }
      // The people the recordings ring are the demo team, on the devices the recordings dial.
      const team = await t.dataSource.getRepository(User).find({ where: { role: 'manager' } });
      for (const person of users.filter((u) => u.role === 'manager')) {
        const member = team.find((u) => u.extensions.includes(person.extension));
        expect(member?.devices).toEqual(expect.arrayContaining(person.devices));
      }
    });

    it('is idempotent', async () => {
      const before = await counts();
      const summary = await seedDemo(t.dataSource, { companies: 120, privateClients: 10 });
      expect(summary).toMatchObject({ adminCreated: false, companiesCreated: 0, contactsCreated: 0, dealsCreated: 0, tasksCreated: 0 });
      expect(await counts()).toEqual(before);
    });
  });

  it.each([
    [['--directory', 'x.json'], { directory: 'x.json', demo: false }],
    [['--', '--demo', '--password=secret-pw'], { demo: true, password: 'secret-pw' }],
    [['--directory=a.json', '--password-for-all', 'long-enough'], { directory: 'a.json', passwordForAll: 'long-enough' }],
  ])('parses %j', (args, expected) => {
    expect(parseSeedArgs(args)).toMatchObject(expected);
  });

  it.each([[[]], [['--directory']], [['--demo', '--password', 'short']], [['--bogus']]])('refuses %j', (args) => {
    expect(() => parseSeedArgs(args)).toThrow();
  });
});
