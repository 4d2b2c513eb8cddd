import type { CallRecord } from '../../src/telephony/calls/call-record';
import type { CallbacksView, DashboardView, DayRow, DrillPage, ManagerRow, OverviewView } from '../../src/stats/stats.service';
import { leadCaptureIdle, moved, recordsOf, seedLabTeam, storeAsLive, type LabTeam } from '../support/recorded-calls';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Figures from the real recordings (test/fixtures/ami: the 8 single-call scenarios and
 * burst1_20_calls), checked by hand against the *.truth.json files. All 28 calls started on
 * Sunday 2026-11-22 between 11:18 and 11:30 Moscow time (08:18–08:30 UTC).
 */
const DAY = { from: '2026-11-22', to: '2026-11-23' };
const MAIN_LINE = '74951112233';
const SECOND_LINE = '74951112244';

async function login(t: TestApp, who: { email: string; password: string }): Promise<string> {
  const response = await t.http.post('/api/auth/login').send(who).expect(200);
  return (response.body as { accessToken: string }).accessToken;
}

describe('call statistics on the recorded calls', () => {
  let t: TestApp;
  let team: LabTeam;
  let token: string;
  let records: CallRecord[];

  const get = async <T>(path: string, query: Record<string, string | number> = DAY): Promise<T> => {
    const response = await t.http.get(path).query(query).set('Authorization', `Bearer ${token}`);
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as T;
  };
  const manager = (rows: ManagerRow[], ext: string): ManagerRow => {
    const row = rows.find((r) => r.extensions.includes(ext));
    if (!row) throw new Error(`no row for ${ext}`);
    return row;
  };

  beforeAll(async () => {
    t = await createTestApp();
    await leadCaptureIdle(t);
    await t.reset();
    team = await seedLabTeam(t);
    records = recordsOf();
    await storeAsLive(t, records);
    token = await login(t, team.head);
  });

  afterAll(async () => {
    await t.reset();
    await t.close();
  });

  it('builds 28 calls from the recordings: 27 inbound, 1 click-to-call', () => {
    expect(records).toHaveLength(28);
    expect(records.filter((r) => r.direction === 'inbound')).toHaveLength(27);
  });

  it('company totals: answered, missed, abandoned with the median wait, unanswered after the chain, speed, talk', async () => {
    const { summary } = await get<OverviewView>('/api/stats/summary');
    expect(summary).toEqual({
      inbound: 27,
      answered: 16, // 13 of the burst + a, h, j_sip_known_responsible_answers
      missed: 11,
      abandoned: 7, // d, j_sip_known_abandoned + 5 of the burst
      unanswered: 4, // chain ran out: c, j_sip_new + 2 of the burst, all to the PBX's voicemail
      voicemail: 4,
      answerRate: 0.5926, // 16 / 27
      // abandoned waits 3.004 5.002 5.026 [6.001] 15.013 19.006 21.008
      abandonedWaitMedian: 6.001,
      // 16 answered waits 3.009 3.018 3.024 3.029 4.006 4.013 4.014 [4.016 5.011] 6.013 7.026 13.011 28.027
      // 28.037 31.039 31.042: the mean of the middle two
      answerSpeedMedian: 4.5135,
      answerSpeedAvg: 11.083,
      talkTotal: 126.664,
      // known: +79161234567 ×5, +79997770011, +79104445566, +79035550101, and +79031112233's second
      // call (j_sip_new: its contact was created when c_new was missed)
      fromKnown: 9,
      fromNew: 15,
      fromAnonymous: 3, // h + 2 of the burst
      newNumbers: 15,
      knownNumbers: 5,
      outbound: 1,
      outboundAnswered: 1,
      outboundTalkTotal: 6.507,
      internal: 0,
    });
  });

  it('answered at each escalation step, and per line (DID)', async () => {
    const { steps, lines } = await get<OverviewView>('/api/stats/summary');
    const answered = Object.fromEntries(steps.map((s) => [s.step, s.answered]));
    expect(answered).toEqual({ responsible: 3, department: 8, head_of_sales: 1, ceo: 2, owner: 2, voicemail: 0 });
    const abandoned = Object.fromEntries(steps.map((s) => [s.step, s.abandoned]));
    expect(abandoned).toEqual({ responsible: 4, department: 0, head_of_sales: 2, ceo: 1, owner: 0, voicemail: 0 });
    expect(steps.find((s) => s.step === 'voicemail')).toMatchObject({ inbound: 4, unanswered: 4 });

    expect(lines.map((l) => [l.line, l.inbound, l.answered, l.abandoned, l.unanswered, l.answerSpeedMedian])).toEqual([
      [MAIN_LINE, 19, 9, 6, 4, 4.016],
      [SECOND_LINE, 8, 7, 1, 0, 13.011],
    ]);
  });

  it('per manager: rung, answered, missed only when it rang them alone or nobody answered, pick-up speed, talk, outbound', async () => {
    const rows = await get<ManagerRow[]>('/api/stats/managers');
    // Anna (101): answered a, j_sip_known_responsible_answers, burst .84; 14 missed: 4 chains that
    // ran out, 2 abandoned at her own responsible step (d, j_sip_known_abandoned), 8 department
    // steps nobody took; the 3 ring-all calls others answered and 2 busy ones are not hers.
    expect(manager(rows, '101')).toMatchObject({
      name: 'Anna Petrova', department: 'sales', rang: 23, answered: 3, missed: 14, missedCallerHungUp: 2, answerRate: 0.1765,
      answerSpeedMedian: 3.009, answerSpeedAvg: 3.341, outbound: 1, outboundAnswered: 1, talkTotal: 20.525, talkAvg: 5.131,
      callbacks: 1, callbackMedian: 17,
    });
    expect(manager(rows, '102')).toMatchObject({
      rang: 19, answered: 4, missed: 12, missedCallerHungUp: 1, answerRate: 0.25,
      answerSpeedMedian: 5.0055, answerSpeedAvg: 5.259, outbound: 0, talkTotal: 45.054, talkAvg: 11.264, callbacks: 0, callbackMedian: null,
    });
    expect(manager(rows, '103')).toMatchObject({
      rang: 21, answered: 4, missed: 13, missedCallerHungUp: 1, answerRate: 0.2353, answerSpeedMedian: 3.5045, answerSpeedAvg: 3.753, talkTotal: 23.047,
    });
    expect(manager(rows, '200')).toMatchObject({ rang: 12, answered: 1, missed: 11, missedCallerHungUp: 2, answerSpeedMedian: 3.002, talkTotal: 12.513 });
    expect(manager(rows, '300')).toMatchObject({ rang: 9, answered: 2, missed: 7, missedCallerHungUp: 1, answerSpeedMedian: 8.009, talkTotal: 19.022 });
    expect(manager(rows, '400')).toMatchObject({ rang: 6, answered: 2, missed: 4, missedCallerHungUp: 0, answerSpeedMedian: 1.002, talkTotal: 13.01 });
    // Every answered inbound call is someone's, once.
    expect(rows.reduce((sum, r) => sum + r.answered, 0)).toBe(16);
  });

  it('missed-call follow-up: callback speed, SLA share, never called back, overdue tasks by manager', async () => {
    const callbacks = await get<CallbacksView>('/api/stats/callbacks');
    // 10 callback tasks: c_new (merged with j_sip_new), d (closed when Anna answered the same
    // client in the burst 17 s later), j_sip_known_abandoned, and the burst's 7 missed calls.
    expect(callbacks).toMatchObject({
      slaSeconds: 900, tasks: 10, calledBack: 1, withinSla: 1, withinSlaShare: 0.1, neverCalledBack: 9, neverCalledBackShare: 0.9,
      stillOpen: 9, callbackMedian: 17, callbackAvg: 17,
    });
    expect(callbacks.distribution.map((b) => [b.key, b.count])).toEqual([
      ['le_5m', 1], ['le_15m', 0], ['le_1h', 0], ['le_4h', 0], ['le_24h', 0], ['gt_24h', 0], ['never', 9],
    ]);
    // Due 15 min after each missed call on 2026-11-22: all overdue once that morning is past.
    const overdue = Object.fromEntries(callbacks.overdue.map((o) => [o.name ?? 'lead exchange', o.overdue]));
    if (Date.now() > Date.parse('2026-11-22T09:00:00Z')) {
      expect(overdue).toEqual({ 'lead exchange': 6, 'Anna Petrova': 1, 'Boris Ivanov': 1, 'Vera Sidorova': 1 });
      const rows = await get<ManagerRow[]>('/api/stats/managers');
      expect(['101', '102', '103', '200'].map((ext) => manager(rows, ext).overdueCallbacks)).toEqual([1, 1, 1, 0]);
    }
  });

  it('hour × weekday and the daily trend in the company time zone (Moscow)', async () => {
    const dashboard = await get<DashboardView>('/api/stats/dashboard', { from: '2026-11-20', to: '2026-11-24' });
    // Sunday (7), 11:00–12:00 Moscow.
    expect(dashboard.heatmap.inbound[6][11]).toBe(27);
    expect(dashboard.heatmap.missed[6][11]).toBe(11);
    expect(dashboard.heatmap.inbound.flat().reduce((a, b) => a + b, 0)).toBe(27);
    expect(dashboard.daily).toEqual<DayRow[]>([
      { day: '2026-11-20', inbound: 0, answered: 0, missed: 0, abandoned: 0, unanswered: 0, outbound: 0 },
      { day: '2026-11-21', inbound: 0, answered: 0, missed: 0, abandoned: 0, unanswered: 0, outbound: 0 },
      { day: '2026-11-22', inbound: 27, answered: 16, missed: 11, abandoned: 7, unanswered: 4, outbound: 1 },
      { day: '2026-11-23', inbound: 0, answered: 0, missed: 0, abandoned: 0, unanswered: 0, outbound: 0 },
    ]);
    expect(dashboard.summary.inbound).toBe(27);
    expect(dashboard.departments).toEqual([{ id: team.departmentId, name: 'sales' }]);
    expect(Object.keys(dashboard.timings)).toEqual(expect.arrayContaining(['overview', 'managers', 'callbacks', 'heatmap', 'daily', 'total']));
  });

  it('filters: a line, a department, a person', async () => {
    const line = await get<OverviewView>('/api/stats/summary', { ...DAY, did: SECOND_LINE });
    expect(line.summary).toMatchObject({ inbound: 8, answered: 7, abandoned: 1, outbound: 0 });

    const sales = await get<DashboardView>('/api/stats/dashboard', { ...DAY, departmentId: team.departmentId });
    expect(sales.summary).toMatchObject({ inbound: 27, outbound: 1 }); // every call rang the sales department
    expect(sales.managers.map((m) => m.extensions[0]).sort()).toEqual(['101', '102', '103', '200']);

    const owner = await get<DashboardView>('/api/stats/dashboard', { ...DAY, userId: team.byExtension['400'].id });
    // The owner's phone rang in 6 calls (the 4 chains that ran out and the 2 she answered).
    expect(owner.summary).toMatchObject({ inbound: 6, answered: 2, unanswered: 4, abandoned: 0 });
    expect(owner.managers).toHaveLength(1);
    expect(owner.managers[0]).toMatchObject({ answered: 2, missed: 4 });
  });

  it('drill-down: the calls behind each number, with legs', async () => {
    const count = async (query: Record<string, string | number>): Promise<number> =>
      (await get<DrillPage>('/api/stats/calls', { ...DAY, ...query })).total;
    expect(await count({ metric: 'inbound' })).toBe(27);
    expect(await count({ metric: 'answered' })).toBe(16);
    expect(await count({ metric: 'abandoned' })).toBe(7);
    expect(await count({ metric: 'unanswered' })).toBe(4);
    expect(await count({ metric: 'known' })).toBe(9);
    expect(await count({ metric: 'anonymous' })).toBe(3);
    expect(await count({ metric: 'answered', step: 'department' })).toBe(8);
    expect(await count({ metric: 'inbound', did: SECOND_LINE })).toBe(8);
    expect(await count({ metric: 'inbound', day: '2026-11-22', dow: 7, hour: 11 })).toBe(27);
    expect(await count({ metric: 'inbound', hour: 10 })).toBe(0);
    const anna = team.byExtension['101'].id;
    expect(await count({ metric: 'user_missed', userId: anna })).toBe(14);
    expect(await count({ metric: 'user_answered', userId: anna })).toBe(3);
    expect(await count({ metric: 'user_rang', userId: anna })).toBe(23);
    expect(await count({ metric: 'user_outbound', userId: anna })).toBe(1);

    const page = await get<DrillPage>('/api/stats/calls', { ...DAY, metric: 'answered', step: 'owner' });
    expect(page.items.map((c) => c.linkedid)).toEqual(['1795335775.120', '1795335778.194']);
    const call = page.items[0];
    expect(call).toMatchObject({ caller: '+79499962283', did: MAIN_LINE, answeredByExtension: '400', answeredByName: 'Elena Sokolova', ringSeconds: 31.039, talkSeconds: 3.506 });
    expect(call.legs.map((l) => [l.extension, l.step, l.outcome])).toEqual([
      ['101', 'department', 'no_answer'], ['102', 'department', 'no_answer'], ['103', 'department', 'no_answer'],
      ['200', 'head_of_sales', 'no_answer'], ['300', 'ceo', 'no_answer'], ['400', 'owner', 'answered'],
    ]);
    expect(call.legs[5].name).toBe('Elena Sokolova');

    const paged = await get<DrillPage>('/api/stats/calls', { ...DAY, metric: 'inbound', limit: 5, offset: 25 });
    expect(paged).toMatchObject({ total: 27, limit: 5, offset: 25 });
    expect(paged.items).toHaveLength(2);
    const past = await get<DrillPage>('/api/stats/calls', { ...DAY, metric: 'inbound', limit: 5, offset: 100 });
    expect(past).toMatchObject({ total: 27, items: [] });
  });

  it('drill-down rows name the client as the CRM knows them now (company, contact), null for numbers nobody has', async () => {
    const page = await get<DrillPage>('/api/stats/calls', { ...DAY, metric: 'inbound', limit: 100 });
    const remstroy = page.items.filter((call) => call.caller === '+79161234567');
    expect(remstroy.length).toBeGreaterThan(0);
    for (const call of remstroy) expect(call.client).toEqual({ company: 'Remstroy', contact: 'Alexey Smirnov' });
    expect(page.items.filter((call) => call.caller === 'anonymous').every((call) => call.client === null)).toBe(true);
  });

  it('CSV exports of calls and of the per-manager table (sep=,)', async () => {
    const calls = await t.http.get('/api/stats/export/calls').query({ ...DAY, metric: 'abandoned', sep: ',' }).set('Authorization', `Bearer ${token}`).expect(200);
    expect(calls.headers['content-type']).toMatch(/^text\/csv/);
    expect(calls.headers['content-disposition']).toBe('attachment; filename="calls-2026-11-22-abandoned.csv"');
    const lines = calls.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 4)).toEqual(['linkedid', 'started_at', 'direction', 'caller']);
    expect(lines).toHaveLength(1 + 7);
    // times in the company's time zone (Europe/Moscow, UTC+3), as Excel reads them
    expect(lines[1]).toMatch(/^1795335761\.80,2026-11-22 11:22:41,inbound,\+79161234567,/);
    expect(lines[1]).toContain('101:responsible:cancelled_caller_hung_up');

    const managers = await t.http.get('/api/stats/export/managers').query({ ...DAY, sep: ',' }).set('Authorization', `Bearer ${token}`).expect(200);
    expect(managers.headers['content-disposition']).toBe('attachment; filename="managers-2026-11-22.csv"');
    const rows = managers.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rows[0]).toBe(
      'name,role,department,extensions,rang,answered,missed,missed_caller_hung_up,answer_rate,answer_speed_median_s,answer_speed_avg_s,outbound,outbound_answered,talk_total_s,talk_avg_s,callbacks,callback_median_s,overdue_callbacks',
    );
    expect(rows.find((r) => r.startsWith('Anna Petrova,'))).toMatch(/^Anna Petrova,manager,sales,101,23,3,14,2,0\.1765,3\.009,3\.341,1,1,20\.525,5\.131,1,17,\d+$/);
  });

  it('CSV for Russian Excel by default (DEFAULT_REGION=RU): `;` between cells, decimal commas, local times', async () => {
    const managers = await t.http.get('/api/stats/export/managers').query(DAY).set('Authorization', `Bearer ${token}`).expect(200);
    const rows = managers.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rows[0].split(';').slice(0, 3)).toEqual(['name', 'role', 'department']);
    expect(rows.find((r) => r.startsWith('Anna Petrova;'))).toMatch(/^Anna Petrova;manager;sales;101;23;3;14;2;0,1765;3,009;3,341;1;1;20,525;5,131;1;17;\d+$/);
    const calls = await t.http.get('/api/stats/export/calls').query({ ...DAY, metric: 'abandoned' }).set('Authorization', `Bearer ${token}`).expect(200);
    expect(calls.text.replace(/^\uFEFF/, '').split('\r\n')[1]).toMatch(/^1795335761\.80;2026-11-22 11:22:41;inbound;\+79161234567;/);
    await t.http.get('/api/stats/export/calls').query({ ...DAY, sep: '|' }).set('Authorization', `Bearer ${token}`).expect(400);
  });

  it('CSV column titles in the dashboard\'s language (lang=ru|en); the same rows', async () => {
    const header = async (path: string, lang: string): Promise<string[]> =>
      (await t.http.get(path).query({ ...DAY, ...(path.endsWith('calls') ? { metric: 'abandoned' } : {}), lang }).set('Authorization', `Bearer ${token}`).expect(200)).text.replace(/^\uFEFF/, '').split('\r\n')[0]!.split(';');
    expect((await header('/api/stats/export/calls', 'ru')).slice(0, 4)).toEqual(['Id звонка', 'Начало', 'Направление', 'Номер звонящего']);
    expect((await header('/api/stats/export/calls', 'en')).slice(0, 4)).toEqual(['Call id', 'Started', 'Direction', 'Caller']);
    expect((await header('/api/stats/export/managers', 'ru')).slice(0, 3)).toEqual(['Имя', 'Роль', 'Отдел']);
    expect(await header('/api/stats/export/managers', 'ru')).toHaveLength(18);
    const ru = await t.http.get('/api/stats/export/calls').query({ ...DAY, metric: 'abandoned', lang: 'ru' }).set('Authorization', `Bearer ${token}`).expect(200);
    expect(ru.text.replace(/^\uFEFF/, '').split('\r\n')[1]).toMatch(/^1795335761\.80;2026-11-22 11:22:41;inbound;\+79161234567;/);
    await t.http.get('/api/stats/export/calls').query({ ...DAY, lang: 'de' }).set('Authorization', `Bearer ${token}`).expect(400);
  });

  it('refuses managers (403) and anonymous callers (401); validates the period', async () => {
    const managerToken = await login(t, team.manager);
    for (const path of ['/api/stats/dashboard', '/api/stats/summary', '/api/stats/managers', '/api/stats/calls', '/api/stats/export/calls', '/api/stats/live']) {
      await t.http.get(path).query(DAY).set('Authorization', `Bearer ${managerToken}`).expect(403);
      await t.http.get(path).query(DAY).expect(401);
    }
    for (const role of ['ceo', 'owner', 'admin'] as const) {
      await t.http.get('/api/stats/summary').query(DAY).set('Authorization', `Bearer ${await t.tokenFor(role)}`).expect(200);
    }
    const bad = async (query: Record<string, string>, field: string): Promise<void> => {
      const response = await t.http.get('/api/stats/summary').query(query).set('Authorization', `Bearer ${token}`).expect(400);
      expect(JSON.stringify(response.body)).toContain(field);
    };
    await bad({ from: '2026-11-23', to: '2026-11-22' }, 'to');
    await bad({ from: '2026-11-22' }, 'to');
    await bad({ from: 'yesterday', to: '2026-11-22' }, 'from');
    await bad({ ...DAY, did: 'x' }, 'did');
    await bad({ ...DAY, departmentId: 'sales' }, 'departmentId');
    await bad({ from: '2025-01-01', to: '2026-11-22' }, 'to');
    const drill = await t.http.get('/api/stats/calls').query({ ...DAY, metric: 'user_missed' }).set('Authorization', `Bearer ${token}`).expect(400);
    expect(JSON.stringify(drill.body)).toContain('userId');
    await t.http.get('/api/stats/calls').query({ ...DAY, metric: 'drop table' }).set('Authorization', `Bearer ${token}`).expect(400);
  });

  it('an empty period gives zeros, no medians, and empty days', async () => {
    const dashboard = await get<DashboardView>('/api/stats/dashboard', { from: '2026-11-23', to: '2026-11-25' });
    expect(dashboard.summary).toMatchObject({ inbound: 0, answered: 0, answerRate: null, answerSpeedMedian: null, abandonedWaitMedian: null, talkTotal: 0, outbound: 0 });
    expect(dashboard.steps.every((s) => s.answered === 0)).toBe(true);
    expect(dashboard.lines).toEqual([]);
    expect(dashboard.daily.map((d) => [d.day, d.inbound])).toEqual([['2026-11-23', 0], ['2026-11-24', 0]]);
    expect(dashboard.heatmap.inbound.flat().every((n) => n === 0)).toBe(true);
    expect(dashboard.callbacks).toMatchObject({ tasks: 0, callbackMedian: null, withinSlaShare: null });
    // The team is listed with zeros (the callback task overdue counts are current, not of the period).
    expect(manager(dashboard.managers, '101')).toMatchObject({ rang: 0, answered: 0, missed: 0, answerRate: null, answerSpeedMedian: null, talkAvg: null });
    const page = await get<DrillPage>('/api/stats/calls', { from: '2026-11-23', to: '2026-11-25' });
    expect(page).toMatchObject({ total: 0, items: [] });
  });

  it('live counters answer even with no AMI link', async () => {
    const live = await get<{ ringing: number; talking: number }>('/api/stats/live', {});
    expect(live).toMatchObject({ ringing: 0, talking: 0 });
  });
});

describe('call statistics: midnight, time zone, transfers', () => {
  let t: TestApp;
  let utc: TestApp | null = null;
  let team: LabTeam;
  let token: string;

  const get = async <T>(app: TestApp, path: string, query: Record<string, string>, bearer = token): Promise<T> => {
    const response = await app.http.get(path).query(query).set('Authorization', `Bearer ${bearer}`);
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as T;
  };

  beforeAll(async () => {
    t = await createTestApp();
    await leadCaptureIdle(t);
  });

  beforeEach(async () => {
    await t.reset();
    team = await seedLabTeam(t);
    token = (await t.http.post('/api/auth/login').send(team.head).expect(200)).body.accessToken as string;
  });

  afterAll(async () => {
    await utc?.close();
    await t.reset();
    await t.close();
  });

  const byLinkedid = (linkedid: string): CallRecord => {
    const record = recordsOf().find((r) => r.linkedid === linkedid);
    if (!record) throw new Error(linkedid);
    return record;
  };

  it('a call that spans midnight belongs to the day it started, legs and all', async () => {
    // Burst .104: the department rings 10 s, then head of sales 200 answers after 3 s. Moved to
    // start at 23:59:55 Moscow on 2026-11-22: 200's leg starts and is answered after midnight.
    const lateStart = Date.parse('2026-11-22T23:59:55+03:00') / 1000;
    const late = moved(byLinkedid('1795335774.104'), lateStart, 'late.1');
    // a: answered by 101 after 3 s; moved to 00:00:01 on 2026-11-23.
    const early = moved(byLinkedid('1795335530.4'), Date.parse('2026-11-23T00:00:01+03:00') / 1000, 'early.1');
    await storeAsLive(t, [late, early]);

    const first = await get<DashboardView>(t, '/api/stats/dashboard', { from: '2026-11-22', to: '2026-11-23' });
    expect(first.summary).toMatchObject({ inbound: 1, answered: 1, answerSpeedMedian: 13.011 });
    expect(first.steps.find((s) => s.step === 'head_of_sales')?.answered).toBe(1);
    const head = first.managers.find((m) => m.extensions.includes('200'));
    expect(head).toMatchObject({ answered: 1, missed: 0, answerSpeedMedian: 3.002, talkTotal: 12.513 });
    expect(first.managers.find((m) => m.extensions.includes('101'))).toMatchObject({ rang: 1, missed: 1, answered: 0 });
    expect(first.heatmap.inbound[6][23]).toBe(1); // Sunday 23:00

    const second = await get<DashboardView>(t, '/api/stats/dashboard', { from: '2026-11-23', to: '2026-11-24' });
    expect(second.summary).toMatchObject({ inbound: 1, answered: 1 });
    expect(second.managers.find((m) => m.extensions.includes('200'))).toMatchObject({ rang: 0, answered: 0 });
    expect(second.heatmap.inbound[0][0]).toBe(1); // Monday 00:00

    const both = await get<DashboardView>(t, '/api/stats/dashboard', { from: '2026-11-22', to: '2026-11-24' });
    expect(both.daily.map((d) => [d.day, d.inbound, d.answered])).toEqual([['2026-11-22', 1, 1], ['2026-11-23', 1, 1]]);
    // A period given as instants cuts at the same place.
    const instants = await get<OverviewView>(t, '/api/stats/summary', { from: '2026-11-22T21:00:00Z', to: '2026-11-23T21:00:00Z' });
    expect(instants.summary.inbound).toBe(1);
  });

  it('days, weekdays and hours follow TIMEZONE', async () => {
    // 22:30 UTC on Sunday 2026-11-22 is 01:30 on Monday 2026-11-23 in Moscow.
    await storeAsLive(t, [moved(byLinkedid('1795335530.4'), Date.parse('2026-11-22T22:30:00Z') / 1000, 'tz.1')]);
    utc = await createTestApp({ TIMEZONE: 'UTC' });
    await leadCaptureIdle(utc);
    const utcToken = (await utc.http.post('/api/auth/login').send(team.head).expect(200)).body.accessToken as string;

    const moscow = await get<DashboardView>(t, '/api/stats/dashboard', { from: '2026-11-22', to: '2026-11-24' });
    expect(moscow.daily.map((d) => [d.day, d.inbound])).toEqual([['2026-11-22', 0], ['2026-11-23', 1]]);
    expect(moscow.heatmap.inbound[0][1]).toBe(1); // Monday 01:00
    expect(moscow.period).toMatchObject({ from: '2026-11-21T21:00:00.000Z', to: '2026-11-23T21:00:00.000Z', timezone: 'Europe/Moscow' });

    const inUtc = await get<DashboardView>(utc, '/api/stats/dashboard', { from: '2026-11-22', to: '2026-11-24' }, utcToken);
    expect(inUtc.daily.map((d) => [d.day, d.inbound])).toEqual([['2026-11-22', 1], ['2026-11-23', 0]]);
    expect(inUtc.heatmap.inbound[6][22]).toBe(1); // Sunday 22:00
    expect(inUtc.period).toMatchObject({ from: '2026-11-22T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z', timezone: 'UTC' });
  });

  it('a transferred call counts once, for whoever answered first; the transfer leg is no miss', async () => {
    const base = byLinkedid('1795335530.4'); // 101 answers at the responsible step, talks 5.5 s
    const answeredAt = base.answeredAt as number;
    const transferLeg = (outcome: 'answered' | 'no_answer', at: number) => ({
      ...base.legs[0],
      extension: '102',
      channel: 'Local/102@managers-transfer;1',
      uniqueid: `transfer-${outcome}`,
      transfer: true,
      startedAt: at,
      ringingAt: at + 0.01,
      answeredAt: outcome === 'answered' ? at + 1.5 : null,
      endedAt: at + 4,
      dialStatus: outcome === 'answered' ? 'ANSWER' : 'NOANSWER',
      outcome,
    });
    const taken = { ...moved(base, base.startedAt, 'transfer.taken'), transferredTo: '102' };
    taken.legs = [...taken.legs, transferLeg('answered', answeredAt + 2)];
    const unanswered = moved(base, base.startedAt + 60, 'transfer.unanswered');
    unanswered.legs = [...unanswered.legs, transferLeg('no_answer', answeredAt + 62)];
    await storeAsLive(t, [taken, unanswered]);

    const dashboard = await get<DashboardView>(t, '/api/stats/dashboard', { from: '2026-11-22', to: '2026-11-23' });
    expect(dashboard.summary).toMatchObject({ inbound: 2, answered: 2, missed: 0, talkTotal: 11.024 });
    expect(dashboard.steps.find((s) => s.step === 'responsible')?.answered).toBe(2);
    const anna = dashboard.managers.find((m) => m.extensions.includes('101'));
    const boris = dashboard.managers.find((m) => m.extensions.includes('102'));
    expect(anna).toMatchObject({ answered: 2, missed: 0, talkTotal: 11.024 });
    expect(boris).toMatchObject({ rang: 2, answered: 0, missed: 0 });
    const drill = await get<DrillPage>(t, '/api/stats/calls', { from: '2026-11-22', to: '2026-11-23', metric: 'answered' });
    expect(drill.items.find((c) => c.linkedid === 'transfer.taken')).toMatchObject({ transferredTo: '102', answeredByExtension: '101' });
  });
});
