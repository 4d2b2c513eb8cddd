import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * call_legs.missed: whether the person missed the call on that leg, decided by the tracker
 * (legMissed in src/telephony/calls/call-record.ts, the one rule) and stored with the leg, so the
 * statistics count it instead of re-deriving it in SQL from the step names — calls that never
 * passed our dialplan (the customer's queues, hunt groups) have no step, yet the phone a hunt
 * group rang alone before another answered did miss the call.
 *
 * Legs stored before get the rule the statistics used until now (frozen here: a missed outcome,
 * unless the call was answered at that leg's step), which is the new one for every call with
 * steps; `npm run rebuild-calls` rebuilds old calls with the tracker's rule.
 */
export class CallLegsMissed1795500000000 implements MigrationInterface {
  name = 'CallLegsMissed1795500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "call_legs" ADD "missed" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`
      UPDATE call_legs l SET missed = true
        FROM calls c
       WHERE c.linkedid = l.linkedid
         AND l.outcome IN ('no_answer', 'rejected', 'cancelled_caller_hung_up')
         AND NOT (c.disposition = 'answered' AND l.step IS NOT DISTINCT FROM c.step_reached)`);
    await queryRunner.query(`ALTER TABLE "call_legs" ALTER COLUMN "missed" DROP DEFAULT`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "call_legs" DROP COLUMN "missed"`);
  }
}
