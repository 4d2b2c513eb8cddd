/**
 * Issue 12, the CSV rows: files as Excel and careless admins write them, and as an attacker would.
 * Real Postgres, the real app over real TCP (supertest), real bytes (cp1251 built with iconv-lite
 * the way Excel saves "CSV (разделители — точка с запятой)", UTF-8 with BOM, UTF-16LE).
 * Every test checks that the service still answers /health and that what was stored before is
 * untouched.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as iconv from 'iconv-lite';
import request from 'supertest';
import type { ImportSummary } from '../../src/crm/import/client-import';
import type { ImportJobView } from '../../src/crm/import/import-jobs.service';
import { createTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';

describe('client import: hostile and careless files (real Postgres, real TCP)', () => {
  let t: TestApp;
  let admin: string;
  let before: StoredRows;

  beforeAll(async () => {
    t = await createTestApp();
    await t.reset();
    admin = await t.tokenFor('admin');
    // What is already there and must stay exactly as it is.
    const company = await t.factories.company({ name: 'Существующая компания', tags: ['старый'], abcCategory: 'A', phones: ['+74950000001'] });
    await t.factories.contact({ name: 'Существующий контакт', companyId: company.id, phones: ['+79160000001'] });
    await t.factories.contact({ name: 'Частное лицо', phones: ['+79160000002'] });
    before = await storedRows(t);
  });
  afterAll(() => t.close());

  interface StoredRows {
    companies: Record<string, unknown>[];
    contacts: Record<string, unknown>[];
    phones: Record<string, unknown>[];
  }
  async function storedRows(app: TestApp): Promise<StoredRows> {
    return {
      companies: await app.dataSource.query('SELECT id, name, tags, abc_category, responsible_id, updated_at FROM companies ORDER BY id'),
      contacts: await app.dataSource.query('SELECT id, name, position, company_id, responsible_id, updated_at FROM contacts ORDER BY id'),
      phones: await app.dataSource.query('SELECT id, e164, raw, company_id, contact_id FROM phone_numbers ORDER BY id'),
    };
  }
  /** The rows stored before the test, as they are now: they must not have changed. */
  async function expectUntouched(): Promise<void> {
    const now = await storedRows(t);
    const same = (list: Record<string, unknown>[], ids: Record<string, unknown>[]) => list.filter((row) => ids.some((old) => old.id === row.id));
    expect(same(now.companies, before.companies)).toEqual(before.companies);
    expect(same(now.contacts, before.contacts)).toEqual(before.contacts);
    expect(same(now.phones, before.phones)).toEqual(before.phones);
  }
  async function expectServiceUp(): Promise<void> {
    const health = await t.http.get('/health').expect(200);
    expect(health.body.status).toBe('ok');
  }

  const upload = (body: Buffer | string, type = 'text/csv') =>
    t.http.post('/api/import/clients').query({ wait: 30 }).set('Authorization', `Bearer ${admin}`).set('Content-Type', type).send(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  async function importDone(body: Buffer | string): Promise<ImportJobView> {
    const job = (await upload(body).expect(200)).body as ImportJobView;
    expect(job.status).toBe('done');
    return job;
  }
  const companyNames = async (): Promise<string[]> => (await t.dataSource.query('SELECT name FROM companies ORDER BY name')).map((r: { name: string }) => r.name);

  it('row 1: a last quote that never closes is that row\'s error with its line; the process lives on', async () => {
    const job = await importDone('company;contact\n"Never closed;X\n');
    expect(job.report).toMatchObject({ rows: 1, imported: 0, companiesCreated: 0, errorCount: 1 });
    expect(job.report.errors).toEqual([{ line: 2, message: expect.stringMatching(/column 1 \(company\): a quote opened on this line is not closed/) }]);
    await expectServiceUp();
    await expectUntouched();
  });

  it('row 1: a header that cannot be read is a 400 naming line 1; an empty file a 400', async () => {
    const broken = await upload('"company;contact\nA;B\n').expect(400);
    expect(broken.body.message).toMatch(/^line 1: .*quote/);
    const empty = await upload('\r\n\r\n').expect(400);
    expect(empty.body.message).toMatch(/the file is empty/);
    await expectServiceUp();
    await expectUntouched();
  });

  it('row 3: a cp1251 Excel export whose first 64 kB are Latin — the Cyrillic rows further down are stored as Cyrillic, no U+FFFD', async () => {
    const latin = Array.from({ length: 1500 }, (_, i) => `Latin Company ${i};Contact ${i};Manager;+7 495 300-${String(i).padStart(4, '0')}`);
    const cyrillic = ['ООО «Ромашка»;Анна Петрова;Директор по маркетингу;+7 495 400-00-01', 'Вектор №1;Ёлкин Сергей Юрьевич;Бренд-менеджер;8 916 400-00-02'];
    const text = ['Компания;Контактное лицо;Должность;Телефон', ...latin, ...cyrillic].join('\r\n') + '\r\n';
    const bytes = iconv.encode(text, 'win1251');
    expect(bytes.findIndex((byte) => byte >= 0x80 && bytes.indexOf('\n') < bytes.indexOf(byte))).toBeGreaterThan(64 * 1024);

    const job = await importDone(bytes);
    expect(job.encoding).toBe('windows-1251');
    expect(job.delimiter).toBe(';');
    expect(job.report).toMatchObject({ rows: 1502, imported: 1502, companiesCreated: 1502, contactsCreated: 1502, errorCount: 0 });
    const stored = await t.dataSource.query(
      `SELECT co.name AS company, c.name AS contact, c.position FROM contacts c JOIN companies co ON co.id = c.company_id WHERE co.name IN ('ООО «Ромашка»', 'Вектор №1') ORDER BY co.name`,
    );
    expect(stored).toEqual([
      { company: 'Вектор №1', contact: 'Ёлкин Сергей Юрьевич', position: 'Бренд-менеджер' },
      { company: 'ООО «Ромашка»', contact: 'Анна Петрова', position: 'Директор по маркетингу' },
    ]);
    const replaced = await t.dataSource.query(`SELECT count(*)::int AS n FROM companies co FULL JOIN contacts c ON c.company_id = co.id WHERE co.name LIKE '%\uFFFD%' OR c.name LIKE '%\uFFFD%' OR c.position LIKE '%\uFFFD%'`);
    expect(replaced).toEqual([{ n: 0 }]);
    await expectServiceUp();
    await expectUntouched();
  });

  it('row 3: UTF-8 with a BOM (Excel "CSV UTF-8") and UTF-16LE with a BOM (Excel "Unicode text", tabs)', async () => {
    const utf8 = await importDone(Buffer.from('\uFEFFКомпания;Теги\r\nБОМ Трейд;постоянный\r\n', 'utf8'));
    expect(utf8.encoding).toBe('utf-8-bom');
    const utf16 = await importDone(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('Компания\tКонтактное лицо\r\nЮникод Медиа\tЮлия Иванова\r\n', 'utf16le')]));
    expect(utf16.encoding).toBe('utf-16le');
    expect(utf16.delimiter).toBe('\t');
    const rows = await t.dataSource.query(`SELECT co.name, co.tags, c.name AS contact FROM companies co LEFT JOIN contacts c ON c.company_id = co.id WHERE co.name IN ('БОМ Трейд', 'Юникод Медиа') ORDER BY co.name`);
    expect(rows).toEqual([
      { name: 'БОМ Трейд', tags: ['постоянный'], contact: null },
      { name: 'Юникод Медиа', tags: [], contact: 'Юлия Иванова' },
    ]);
  });

  it('row 3: a line that is not text in the file\'s encoding is an error row naming it, never stored as U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('\uFEFFcompany\r\nГодная строка\r\n', 'utf8'), Buffer.from([0xd0, 0xd0, 0x41, 0x0d, 0x0a]), Buffer.from('Ещё одна\r\n', 'utf8')]);
    const job = await importDone(bytes);
    expect(job.report.errors).toEqual([{ line: 3, message: 'line 3 has bytes that are not utf-8 text; fix the line or save the whole file again as CSV (UTF-8)' }]);
    expect(job.report).toMatchObject({ rows: 3, imported: 2 });
    expect(await companyNames()).toEqual(expect.arrayContaining(['Годная строка', 'Ещё одна']));
    await expectUntouched();
  });

  it('row 5: a stray quote mid-file is reported with its line; the rows after it are imported, nothing merged', async () => {
    const csv = ['company;contact;phone', 'Кавычка Один;Анна;+7 495 500-00-01', '"Кавычка Два;Борис;+7 495 500-00-02', 'Кавычка Три;Вера;+7 495 500-00-03', 'ООО "Кавычка Четыре";Глеб;+7 495 500-00-04', 'Кавычка Пять";Дина;+7 495 500-00-05', 'Кавычка Шесть;Ева;+7 495 500-00-06'].join('\n');
    const job = await importDone(csv);
    expect(job.report.errors).toEqual([{ line: 3, message: expect.stringMatching(/^column 1 \(company\): a quote opened on this line is not closed on it/) }]);
    expect(job.report).toMatchObject({ rows: 6, imported: 5, companiesCreated: 5, contactsCreated: 5, phonesAdded: 5 });
    const names = (await companyNames()).filter((name) => name.includes('Кавычка'));
    expect(names.sort()).toEqual(['Кавычка Один', 'Кавычка Пять"', 'Кавычка Три', 'Кавычка Шесть', 'ООО "Кавычка Четыре"'].sort());
    expect(names.some((name) => name.includes('\n') || name.includes(';'))).toBe(false);
    await expectServiceUp();
    await expectUntouched();
  });

  it('row 13: lengths and counts as in REST (CreateCompanyDto, CreateContactDto) — refused rows name the column; the others import', async () => {
    const long = 'Я'.repeat(10_240);
    const csv = [
      'company;company_tags;company_phones;contact;position;contact_phones',
      `Длинный Контакт;;;${long};;`,
      `${'К'.repeat(301)};;;;;`,
      `Длинный Тег;${'т'.repeat(51)};;;;`,
      `Много Телефонов;;${Array.from({ length: 21 }, (_, i) => `+7 495 600-00-${String(i).padStart(2, '0')}`).join(',')};;;`,
      `Длинная Должность;;;Иван;${'д'.repeat(201)};`,
      `Нормальная;тег;;Пётр Сидоров;Директор;+7 916 600-00-99`,
    ].join('\r\n');
    const job = await importDone(csv);
    expect(job.report.errors).toEqual([
      { line: 2, message: 'contact: name must be shorter than or equal to 300 characters (this one has 10240)' },
      { line: 3, message: 'company: name must be shorter than or equal to 300 characters (this one has 301)' },
      { line: 4, message: 'company_tags: each value in tags must be shorter than or equal to 50 characters' },
      { line: 5, message: 'company_phones: phones must contain no more than 20 elements' },
      { line: 6, message: 'position: position must be shorter than or equal to 200 characters (this one has 201)' },
    ]);
    expect(job.report).toMatchObject({ rows: 6, imported: 1, companiesCreated: 1, contactsCreated: 1 });
    // The REST API refuses the same contact name with the same rule.
    const rest = await t.http.post('/api/contacts').set('Authorization', `Bearer ${admin}`).send({ name: long }).expect(400);
    expect(JSON.stringify(rest.body)).toContain('name must be shorter than or equal to 300 characters');
    expect(await t.dataSource.query('SELECT count(*)::int AS n FROM contacts WHERE length(name) > 300')).toEqual([{ n: 0 }]);
    await expectUntouched();
  });

  it('NUL and other control characters refuse their row only — no database error fails the rows around it', async () => {
    const csv = ['company;contact', 'Перед НУЛ;Анна', 'Ромашка\u0000;Вера', 'Табуляция ок;Борис\tБорисович', 'Звонок\u0007;Глеб', 'После НУЛ;Дина'].join('\n');
    const job = await importDone(csv);
    expect(job.report.errors).toEqual([
      { line: 3, message: 'company: contains the control character U+0000 at position 8; remove it from the file (the row is skipped)' },
      { line: 5, message: 'company: contains the control character U+0007 at position 7; remove it from the file (the row is skipped)' },
    ]);
    expect(job.report).toMatchObject({ rows: 5, imported: 3 });
    expect(await companyNames()).toEqual(expect.arrayContaining(['Перед НУЛ', 'Табуляция ок', 'После НУЛ']));
    await expectServiceUp();
    await expectUntouched();
  });

  it('a row the database itself refuses (here a CHECK an admin added) fails alone: its chunk is written again row by row', async () => {
    await t.dataSource.query(`ALTER TABLE companies ADD CONSTRAINT companies_not_forbidden CHECK (name <> 'Запрещённая база')`);
    try {
      const csv = ['company;phone', 'До отказа;+7 495 910-00-01', 'Запрещённая база;+7 495 910-00-02', 'После отказа;+7 495 910-00-03'].join('\n');
      const job = await importDone(csv);
      expect(job.report.errors).toEqual([{ line: 3, message: expect.stringMatching(/^the database refused the row: .*companies_not_forbidden/) }]);
      expect(job.report).toMatchObject({ rows: 3, imported: 2, companiesCreated: 2, phonesAdded: 2 });
      expect(await companyNames()).toEqual(expect.arrayContaining(['До отказа', 'После отказа']));
      expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM phone_numbers WHERE e164 = '+74959100002'`)).toEqual([{ n: 0 }]);
    } finally {
      await t.dataSource.query('ALTER TABLE companies DROP CONSTRAINT companies_not_forbidden');
    }
    await expectServiceUp();
    await expectUntouched();
  });

  it('a job is answered by any instance, with its progress and report', async () => {
    const other = await createTestApp();
    try {
      const accepted = await t.http
        .post('/api/import/clients')
        .set('Authorization', `Bearer ${admin}`)
        .set('Content-Type', 'text/csv')
        .set('X-File-Name', encodeURIComponent('клиенты.csv'))
        .send(Buffer.from('company\nДругой Инстанс\n'))
        .expect(202);
      const job = accepted.body as ImportJobView;
      expect(accepted.headers.location).toBe(`/api/import/jobs/${job.id}`);
      expect(job).toMatchObject({ status: expect.stringMatching(/^(queued|running)$/), fileName: 'клиенты.csv', encoding: 'utf-8', delimiter: ',' });
      const token = await other.tokenFor('head_of_sales');
      const seen = await until(
        'the job done, seen by the other instance',
        async () => {
          const view = (await request(other.app.getHttpServer()).get(`/api/import/jobs/${job.id}`).set('Authorization', `Bearer ${token}`).expect(200)).body as ImportJobView;
          return view.status === 'done' ? view : null;
        },
        10_000,
      );
      expect(seen).toMatchObject({ status: 'done', rowsTotal: 1, report: { rows: 1, companiesCreated: 1, errors: [] } });
      const list = (await request(other.app.getHttpServer()).get('/api/import/jobs').set('Authorization', `Bearer ${token}`).expect(200)).body as ImportJobView[];
      expect(list[0]).toMatchObject({ id: job.id, status: 'done' });
      await request(other.app.getHttpServer()).get('/api/import/jobs/not-a-job').set('Authorization', `Bearer ${token}`).expect(404);
      await request(other.app.getHttpServer()).get(`/api/import/jobs/${job.id}`).set('Authorization', `Bearer ${await other.tokenFor('manager')}`).expect(403);
    } finally {
      await other.close();
    }
  });

  it('a file over IMPORT_MAX_MB is a 413 (declared or streamed), nothing kept; the service lives on', async () => {
    const small = await createTestApp({ IMPORT_MAX_MB: '1' });
    try {
      const token = await small.tokenFor('admin');
      const big = Buffer.alloc(1.5 * 1024 * 1024, 'Компания;Контакт\n');
      const declared = await request(small.app.getHttpServer()).post('/api/import/clients').set('Authorization', `Bearer ${token}`).set('Content-Type', 'text/csv').send(big).expect(413);
      expect(declared.body.message).toMatch(/larger than the import limit of 1 MB \(IMPORT_MAX_MB\)/);

      // Chunked, no Content-Length: counted while it streams.
      const url = `${await small.app.getUrl()}/api/import/clients`.replace('[::1]', '127.0.0.1');
      const streamed = await fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < 24; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x41));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);

      expect((await small.http.get('/health').expect(200)).body.status).toBe('ok');
      expect(await small.dataSource.query('SELECT count(*)::int AS n FROM import_jobs WHERE bytes > 1048576')).toEqual([{ n: 0 }]);
      const uploads = join(small.config.dataDir, 'imports');
      expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([]);
      // A file under the limit still goes through.
      const ok = await request(small.app.getHttpServer()).post('/api/import/clients?wait=30').set('Authorization', `Bearer ${token}`).set('Content-Type', 'text/csv').send('company\nПод лимитом\n').expect(200);
      expect((ok.body as ImportJobView).report.companiesCreated).toBe(1);
    } finally {
      await small.close();
    }
  });

  it('a job stopped by a shutdown shows as interrupted with what it imported; importing the file again finishes it', async () => {
    const lines = ['company;phone', ...Array.from({ length: 20_000 }, (_, i) => `Прерванная ${i};+7 495 7${String(i).padStart(6, '0')}`)];
    const csv = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const doomed = await createTestApp();
    const token = await doomed.tokenFor('admin');
    const accepted = await request(doomed.app.getHttpServer()).post('/api/import/clients').set('Authorization', `Bearer ${token}`).set('Content-Type', 'text/csv').send(csv).expect(202);
    const id = (accepted.body as ImportJobView).id;
    let job = await until(
      'the job to import its first rows',
      async () => {
        const view = (await t.http.get(`/api/import/jobs/${id}`).set('Authorization', `Bearer ${admin}`).expect(200)).body as ImportJobView;
        return view.report.rows > 0 ? view : null;
      },
      15_000,
    );
    expect(job.status).toBe('running');
    await doomed.close();

    job = (await t.http.get(`/api/import/jobs/${id}`).set('Authorization', `Bearer ${admin}`).expect(200)).body as ImportJobView;
    expect(job.status).toBe('interrupted');
    expect(job.message).toMatch(/the service stopped after \d+ rows; upload the file again/);
    expect(job.report.rows).toBeLessThan(20_000);
    const stored = (await t.dataSource.query(`SELECT count(*)::int AS n FROM companies WHERE name LIKE 'Прерванная %'`))[0].n as number;
    expect(stored).toBe(job.report.companiesCreated);

    const again = (await t.http.post('/api/import/clients?wait=60').set('Authorization', `Bearer ${admin}`).set('Content-Type', 'text/csv').send(csv).expect(200)).body as ImportJobView;
    expect(again.report).toMatchObject({ rows: 20_000, imported: 20_000, unchanged: stored, companiesCreated: 20_000 - stored, errorCount: 0 } satisfies Partial<ImportSummary>);
    await expectServiceUp();
    await expectUntouched();
  });
});
