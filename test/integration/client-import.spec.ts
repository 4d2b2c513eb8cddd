import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { User } from '../../src/auth/users/user.entity';
import { importClients, openClientCsv, type ImportSummary } from '../../src/crm/import/client-import';
import type { ImportJobView } from '../../src/crm/import/import-jobs.service';
import { Company } from '../../src/crm/companies/company.entity';
import { Contact } from '../../src/crm/contacts/contact.entity';
import { PhoneNumber } from '../../src/crm/phones/phone-number.entity';
import { createTestApp, type TestApp } from '../support/test-app';

const sample = readFileSync(join(__dirname, '../fixtures/clients.sample.csv'));
const valid = readFileSync(join(__dirname, '../fixtures/clients.valid.csv'));

describe('client import (real Postgres)', () => {
  let t: TestApp;
  let admin: string;
  const users: Record<string, User> = {};

  beforeAll(async () => {
    t = await createTestApp();
    await t.reset();
    for (const name of ['anna', 'boris', 'vera']) {
      users[name] = await t.factories.user({ role: 'manager', name, email: `${name}@agency.test` });
    }
    admin = await t.tokenFor('admin');
  });
  afterAll(() => t.close());

  const post = (body: Buffer | string, token = admin, type = 'text/csv; charset=utf-8') =>
    t.http.post('/api/import/clients').query({ wait: 30 }).set('Authorization', `Bearer ${token}`).set('Content-Type', type).send(body);
  /** A small file: the job finishes within ?wait, so the answer is 200 with its report. */
  const imported = async (body: Buffer | string, token = admin): Promise<ImportSummary> => {
    const job = (await post(body, token).expect(200)).body as ImportJobView;
    expect(job.status).toBe('done');
    return job.report;
  };

  const companyNamed = (name: string): Promise<Company | null> =>
    t.dataSource.getRepository(Company).findOne({ where: { name }, relations: { phones: true } });
  const ownerOf = (e164: string): Promise<PhoneNumber | null> => t.dataSource.getRepository(PhoneNumber).findOne({ where: { e164 } });

  it('imports the good rows of the sample and lists the broken ones with their lines', async () => {
    const summary = await imported(sample);
    expect(summary.errors).toEqual([
      { line: 9, message: expect.stringContaining('bad phone') },
      { line: 10, message: expect.stringContaining('unknown responsible: no user with email nobody@agency.test') },
      { line: 11, message: expect.stringMatching(/\+74951234560 already belongs to company "Ремстрой"/) },
    ]);
    expect(summary).toMatchObject({
      rows: 15,
      imported: 12,
      unchanged: 1,
      companiesCreated: 9,
      companiesUpdated: 0,
      contactsCreated: 10,
      contactsUpdated: 0,
      phonesAdded: 19,
      errorCount: 3,
    });
  });

  it('wrote companies with tags, ABC, responsible and normalized phones; contacts under them', async () => {
    const remstroy = await companyNamed('Ремстрой');
    expect(remstroy).toMatchObject({ tags: ['постоянный', 'VIP'], abcCategory: 'A', responsibleId: users.anna.id });
    expect(remstroy?.phones?.map((p) => p.e164)).toEqual(['+74951234560']);
    const contacts = await t.dataSource.getRepository(Contact).find({ where: { companyId: remstroy?.id }, order: { name: 'ASC' } });
    expect(contacts.map((c) => [c.name, c.position, c.responsibleId])).toEqual([
      ['Алексей Смирнов', 'Генеральный директор', null],
      ['Ольга Морозова', 'Главный бухгалтер', null],
    ]);
    expect((await ownerOf('+79162223344'))?.contactId).toBe(contacts[1].id);

    expect(await companyNamed('ООО "Винтик"')).toMatchObject({ abcCategory: 'C', responsibleId: users.boris.id });
    expect((await companyNamed('Омега; реклама и PR'))?.phones?.map((p) => p.e164)).toEqual(['+74957172737']);
    expect((await companyNamed('Оптима Трейд'))?.phones?.map((p) => p.e164).sort()).toEqual(['+74951002030', '+74951002031']);

    const standalone = await t.dataSource.getRepository(Contact).findOne({ where: { name: 'Дмитрий Орлов' } });
    expect(standalone).toMatchObject({ companyId: null, responsibleId: users.vera.id, position: 'Частный клиент' });
  });

  it('wrote nothing of a broken row', async () => {
    for (const name of ['Стройинвест', 'Альфа Логистик', 'Бета Консалт']) expect(await companyNamed(name)).toBeNull();
    for (const name of ['Андрей Белов', 'Наталья Егорова', 'Игорь Фролов']) {
      expect(await t.dataSource.getRepository(Contact).findOne({ where: { name } })).toBeNull();
    }
    for (const e164 of ['+74953334455', '+74956007080', '+79178009010']) expect(await ownerOf(e164)).toBeNull();
  });

  it('is idempotent: the second run creates nothing and finds every good row unchanged', async () => {
    const counts = async () => Promise.all([Company, Contact, PhoneNumber].map((entity) => t.dataSource.getRepository(entity).count()));
    const before = await counts();
    const summary = await imported(sample);
    expect(summary).toMatchObject({
      rows: 15,
      imported: 12,
      unchanged: 12,
      companiesCreated: 0,
      companiesUpdated: 0,
      contactsCreated: 0,
      contactsUpdated: 0,
      phonesAdded: 0,
    });
    expect(summary.errors.map((e) => e.line)).toEqual([9, 10, 11]);
    expect(await counts()).toEqual(before);
  });

  it('updates what changed: tags added, ABC and responsible replaced, blanks leave values alone', async () => {
    const csv = 'company;tags;abc;responsible_email\nГамма Фуд;новый год;B;vera@agency.test\nДельта Авто;;;\n';
    const summary = await imported(csv);
    expect(summary).toMatchObject({ rows: 2, companiesUpdated: 1, unchanged: 1, errors: [] });
    expect(await companyNamed('Гамма Фуд')).toMatchObject({ tags: ['сети', 'постоянный', 'новый год'], abcCategory: 'B', responsibleId: users.vera.id });
    expect(await companyNamed('Дельта Авто')).toMatchObject({ abcCategory: 'B', responsibleId: users.boris.id });
  });

  it('reads a comma-separated file with English headers, extensions in numbers and standalone contacts', async () => {
    const summary = await imported(valid);
    expect(summary).toMatchObject({ rows: 4, imported: 4, companiesCreated: 2, contactsCreated: 3, phonesAdded: 6, errors: [] });
    const romashka = await companyNamed('Ромашка Медиа');
    const kirill = await t.dataSource.getRepository(Contact).findOne({ where: { name: 'Кирилл Соколов' }, relations: { phones: true } });
    expect(kirill?.companyId).toBe(romashka?.id);
    expect(kirill?.phones?.map((p) => p.e164).sort()).toEqual(['+74952010104', '+79162010103']);
  });

  it('reports bad ABC and missing names, and refuses a header without company or contact', async () => {
    const csv = 'company,abc,contact\nЗета,Z,\n,,\n,A,\nЭта,а,\n';
    const summary = await imported(csv);
    expect(summary.errors).toEqual([
      { line: 2, message: expect.stringContaining('abc: expected A, B or C') },
      { line: 4, message: expect.stringContaining('missing name') },
    ]);
    expect(summary.rows).toBe(3);
    expect(await companyNamed('Эта')).toMatchObject({ abcCategory: 'A' });

    const refused = await post('name;phone\nX;+74950000000\n').expect(400);
    expect(refused.body.message).toMatch(/neither a company nor a contact/);
    await post('{"company":"x"}', admin, 'application/json').expect(400);
  });

  it('reads a generated file in several chunks, reporting progress after each', async () => {
    const lines = ['company;company_phones', ...Array.from({ length: 3_000 }, (_, i) => `Bulk ${i};+7 495 9${String(i).padStart(6, '0')}`)];
    const path = join(mkdtempSync(join(tmpdir(), 'switchboard-import-')), 'bulk.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const progress: number[] = [];
    const summary = await importClients(t.dataSource, await openClientCsv(path), { region: 'RU', batchSize: 700, onProgress: (s) => void progress.push(s.rows) });
    expect(summary).toMatchObject({ rows: 3_000, imported: 3_000, companiesCreated: 3_000, phonesAdded: 3_000, errorCount: 0 });
    expect(progress).toEqual([700, 1400, 2100, 2800, 3000]);
  });

  it('is for admins and heads of sales only', async () => {
    await t.http.post('/api/import/clients').set('Content-Type', 'text/csv').send(sample).expect(401);
    await post(sample, await t.tokenFor('manager')).expect(403);
    expect((await imported('company\nРОП Тест\n', await t.tokenFor('head_of_sales'))).companiesCreated).toBe(1);
  });
});
