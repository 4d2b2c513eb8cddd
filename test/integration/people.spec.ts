import { loadPeople, PeopleService } from '../../src/people/people.service';
import { resolveExtension } from '../../src/people/people-directory';
import { CallsRepository } from '../../src/telephony/calls/calls.repository';
import { recordsOf } from '../support/recorded-calls';
import { createTestApp, type TestApp } from '../support/test-app';

/** A user written straight to the table (as data from before the clash check), `days` days old. */
async function rawUser(t: TestApp, name: string, extensions: string[], days: number, active = true): Promise<string> {
  const rows: { id: string }[] = await t.dataSource.query(
    `INSERT INTO users (name, email, role, extensions, devices, active, created_at)
     VALUES ($1, $2, 'manager', $3, $4, $5, now() - make_interval(days => $6)) RETURNING id`,
    [name, `${name.toLowerCase()}@example.com`, extensions, extensions.map((ext) => `PJSIP/${ext}`), active, days],
  );
  return rows[0].id;
}

describe('one people directory (real Postgres)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(() => t.reset());

  it('the extension_owners view and the TS directory name the same person for every extension', async () => {
    const older = await rawUser(t, 'Anna', ['101', '104'], 10);
    const younger = await rawUser(t, 'Boris', ['101', '102'], 5); // legacy clash on 101
    await rawUser(t, 'Oleg', ['102', '103'], 20, false); // inactive, older than Boris
    const vera = await rawUser(t, 'Vera', ['105'], 1);

    const view: { extension: string; user_id: string }[] = await t.dataSource.query('SELECT extension, user_id FROM extension_owners ORDER BY extension');
    expect(view).toEqual([
      { extension: '101', user_id: older },
      { extension: '102', user_id: younger },
      { extension: '104', user_id: older },
      { extension: '105', user_id: vera },
    ]);
    const directory = await loadPeople(t.dataSource);
    for (const extension of ['101', '102', '103', '104', '105', '106']) {
      expect([extension, resolveExtension(directory, extension)?.id ?? null]).toEqual([extension, view.find((row) => row.extension === extension)?.user_id ?? null]);
    }
    // The cached service gives the same after a reload.
    const people = t.app.get(PeopleService);
    await people.reload();
    expect(['101', '102', '103', '105'].map((ext) => people.userIdOf(ext))).toEqual([older, younger, null, vera]);
  });

  it('the call writer credits a call and its legs on a clashing extension to the person the TS directory names', async () => {
    const record = recordsOf().find((r) => r.answeredBy !== null && r.legs.length > 1);
    if (!record?.answeredBy) throw new Error('no recorded answered call with several legs');
    const ext = record.answeredBy;
    const older = await rawUser(t, 'Anna', [ext], 10);
    await rawUser(t, 'Boris', [ext], 5);
    await t.app.get(CallsRepository).saveFinalizedCalls([{ record, events: [] }]);
    const people = t.app.get(PeopleService);
    await people.reload();
    expect(people.userIdOf(ext)).toBe(older);
    const [call]: { answered_by_user_id: string }[] = await t.dataSource.query('SELECT answered_by_user_id FROM calls WHERE linkedid = $1', [record.linkedid]);
    expect(call.answered_by_user_id).toBe(older);
    const legs: { extension: string; user_id: string | null }[] = await t.dataSource.query('SELECT extension, user_id FROM call_legs WHERE linkedid = $1 ORDER BY seq', [record.linkedid]);
    expect(legs.length).toBeGreaterThan(1);
    // The answerer's extension → Anna; every other extension of the lab has no active owner here.
    expect(legs).toEqual(legs.map((leg) => ({ extension: leg.extension, user_id: people.userIdOf(leg.extension) })));
    expect(legs.filter((leg) => leg.user_id !== null).map((leg) => leg.extension)).toEqual(legs.filter((leg) => leg.extension === ext).map((leg) => leg.extension));
  });

  it('an outbound call stays credited to whoever owned the extension when it was stored, after they leave', async () => {
    const record = recordsOf().find((r) => r.direction === 'outbound' && r.placedBy !== null);
    if (!record?.placedBy) throw new Error('no recorded outbound call');
    const anna = await rawUser(t, 'Anna', [record.placedBy], 10);
    await t.app.get(CallsRepository).saveFinalizedCalls([{ record, events: [] }]);
    const placedBy = async (): Promise<unknown> =>
      ((await t.dataSource.query('SELECT placed_by_user_id FROM calls WHERE linkedid = $1', [record.linkedid])) as { placed_by_user_id: string | null }[])[0]
        ?.placed_by_user_id;
    expect(await placedBy()).toBe(anna);
    // Anna leaves; Boris gets her extension: her past call stays hers, a call stored now is his.
    await t.dataSource.query('UPDATE users SET active = false WHERE id = $1', [anna]);
    const boris = await rawUser(t, 'Boris', [record.placedBy], 1);
    expect(await placedBy()).toBe(anna);
    await t.app.get(CallsRepository).saveFinalizedCalls([{ record: { ...record, linkedid: `${record.linkedid}-later` }, events: [] }]);
    const [later] = (await t.dataSource.query('SELECT placed_by_user_id FROM calls WHERE linkedid = $1', [`${record.linkedid}-later`])) as { placed_by_user_id: string }[];
    expect(later?.placed_by_user_id).toBe(boris);
  });

  describe('saving a person whose extension another active person holds is refused', () => {
    let admin: string;
    let anna: string;
    beforeEach(async () => {
      admin = await t.tokenFor('admin');
      const created = await t.http
        .post('/api/users')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'Anna Petrova', email: 'anna@example.com', password: 'anna-password', role: 'manager', extensions: ['101'], devices: ['PJSIP/101'] })
        .expect(201);
      anna = created.body.id;
    });
    const boris = { name: 'Boris Ivanov', email: 'boris@example.com', password: 'boris-password', role: 'manager' };

    it('create: 409 naming the extension and who holds it; nothing written', async () => {
      const response = await t.http.post('/api/users').set('Authorization', `Bearer ${admin}`).send({ ...boris, extensions: ['102', '101'] }).expect(409);
      expect(response.body).toMatchObject({
        error: 'conflict',
        message: 'extension 101 belongs to Anna Petrova (another active user)',
        field: 'extensions',
        extension: '101',
        holder: { id: anna, name: 'Anna Petrova' },
      });
      const [{ count }]: { count: number }[] = await t.dataSource.query(`SELECT count(*)::int AS count FROM users WHERE email = 'boris@example.com'`);
      expect(count).toBe(0);
    });

    it('create: a device another active person holds is refused the same way', async () => {
      const response = await t.http.post('/api/users').set('Authorization', `Bearer ${admin}`).send({ ...boris, extensions: ['102'], devices: ['pjsip/101'] }).expect(409);
      expect(response.body).toMatchObject({ field: 'devices', device: 'pjsip/101', holder: { id: anna } });
    });

    it('update and activate: refused while the holder is active, allowed once the holder is deactivated', async () => {
      const created = await t.http.post('/api/users').set('Authorization', `Bearer ${admin}`).send({ ...boris, extensions: ['102'] }).expect(201);
      const borisId: string = created.body.id;
      const people = t.app.get(PeopleService);
      expect(people.userIdOf('102')).toBe(borisId); // reloaded right after the save

      const update = await t.http.patch(`/api/users/${borisId}`).set('Authorization', `Bearer ${admin}`).send({ extensions: ['102', '101'] }).expect(409);
      expect(update.body).toMatchObject({ extension: '101', holder: { id: anna, name: 'Anna Petrova' } });
      // Changes that move no extension pass (a legacy clash must not block DND or a rename).
      await t.http.patch(`/api/users/${borisId}`).set('Authorization', `Bearer ${admin}`).send({ dnd: true }).expect(200);

      // An inactive user listing 101 (written before the check) cannot be activated while Anna holds it.
      const oleg = await rawUser(t, 'Oleg', ['101'], 0, false);
      const activate = await t.http.patch(`/api/users/${oleg}`).set('Authorization', `Bearer ${admin}`).send({ active: true }).expect(409);
      expect(activate.body).toMatchObject({ extension: '101', holder: { id: anna } });

      await t.http.delete(`/api/users/${anna}`).set('Authorization', `Bearer ${admin}`).expect(200);
      expect(people.userIdOf('101')).toBeNull();
      await t.http.patch(`/api/users/${borisId}`).set('Authorization', `Bearer ${admin}`).send({ extensions: ['102', '101'] }).expect(200);
      expect(people.userIdOf('101')).toBe(borisId);
    });

    it('two saves of one extension at once: exactly one passes', async () => {
      const send = (n: number) =>
        t.http.post('/api/users').set('Authorization', `Bearer ${admin}`).send({ ...boris, name: `Boris ${n}`, email: `boris${n}@example.com`, extensions: ['107'] });
      const statuses = (await Promise.all([1, 2, 3, 4].map(send))).map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409]);
      const holders: { id: string }[] = await t.dataSource.query(`SELECT id FROM users WHERE '107' = ANY(extensions) AND active`);
      expect(holders).toHaveLength(1);
    });
  });
});
