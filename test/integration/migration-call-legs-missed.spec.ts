/**
 * Migration 1795500000000 (call_legs.missed) on a database that already holds calls: legs stored
 * before it get the rule the statistics used until then (a missed outcome, unless the call was
 * answered at that leg's step). Runs on a PostgreSQL cluster of its own, migrated up to the
 * migration before, filled, then migrated to the end.
 */
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { MIGRATIONS } from '../../src/database/migrations';
import { CallLegsMissed1795500000000 } from '../../src/database/migrations/1795500000000-CallLegsMissed';
import { ownDatabase, type OwnDatabase } from '../support/own-database';

describe('migration CallLegsMissed on stored calls', () => {
  let database: OwnDatabase;
  afterAll(async () => database?.destroy());

  it('back-fills missed for legs stored before it, with the old rule', async () => {
    database = await ownDatabase('legs_missed');
    const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(CallLegsMissed1795500000000));
    expect(before.length).toBeGreaterThan(0);

    const old = new DataSource({ ...dataSourceOptions(database.url), migrations: before });
    await old.initialize();
    await old.runMigrations();
    const call = (linkedid: string, disposition: string, step: string | null): Promise<unknown> =>
      old.query(
        `INSERT INTO calls (linkedid, direction, caller, started_at, disposition, step_reached, record) VALUES ($1, 'inbound', '+79161234567', now(), $2, $3, '{}')`,
        [linkedid, disposition, step],
      );
    const leg = (linkedid: string, seq: number, extension: string, step: string | null, outcome: string): Promise<unknown> =>
      old.query(`INSERT INTO call_legs (linkedid, seq, extension, step, outcome) VALUES ($1, $2, $3, $4, $5)`, [linkedid, seq, extension, step, outcome]);
    // answered at the department: the responsible who did not answer missed it; the colleagues rung alongside did not
    await call('a', 'answered', 'department');
    await leg('a', 0, '101', 'responsible', 'no_answer');
    await leg('a', 1, '102', 'department', 'answered');
    await leg('a', 2, '103', 'department', 'cancelled_other_answered');
    await leg('a', 3, '104', 'department', 'rejected');
    // missed: every ringing leg missed it, a busy phone never rang
    await call('m', 'missed', 'head_of_sales');
    await leg('m', 0, '101', 'department', 'no_answer');
    await leg('m', 1, '102', 'department', 'busy');
    await leg('m', 2, '200', 'head_of_sales', 'cancelled_caller_hung_up');
    // a call with no step, answered: the same rule (step null = step null)
    await call('n', 'answered', null);
    await leg('n', 0, '101', null, 'no_answer');
    await leg('n', 1, '102', null, 'answered');
    await old.destroy();

    const now = new DataSource(dataSourceOptions(database.url));
    await now.initialize();
    try {
      expect((await now.runMigrations()).map((m) => m.name)[0]).toBe('CallLegsMissed1795500000000');
      const rows: { linkedid: string; extension: string; missed: boolean }[] = await now.query(`SELECT linkedid, extension, missed FROM call_legs ORDER BY linkedid, seq`);
      expect(rows.map((r) => `${r.linkedid}/${r.extension}/${r.missed}`)).toEqual([
        'a/101/true',
        'a/102/false',
        'a/103/false',
        'a/104/false',
        'm/101/true',
        'm/102/false',
        'm/200/true',
        'n/101/false',
        'n/102/false',
      ]);
      // NOT NULL, no default left behind: the tracker always says
      const [column]: { is_nullable: string; column_default: string | null }[] = await now.query(
        `SELECT is_nullable, column_default FROM information_schema.columns WHERE table_name = 'call_legs' AND column_name = 'missed'`,
      );
      expect(column).toEqual({ is_nullable: 'NO', column_default: null });
    } finally {
      await now.destroy();
    }
  });
});
