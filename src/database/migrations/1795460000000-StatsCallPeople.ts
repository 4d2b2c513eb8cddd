import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-person call figures stored when a call is written (src/telephony/calls/call-people.ts): the month's
 * per-person statistics read ~300k rows of one covering index instead of joining every leg of the
 * month to its call and grouping twice. Backfilled from the stored calls and legs (the SQL is
 * frozen here as of this migration; the writer uses the same definition).
 */
export class StatsCallPeople1795460000000 implements MigrationInterface {
  name = 'StatsCallPeople1795460000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_people" ("linkedid" text NOT NULL, "user_id" uuid NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "did" text,
        "rang" boolean NOT NULL, "missed" boolean NOT NULL, "missed_caller_hung_up" boolean NOT NULL, "pickup_seconds" numeric,
        CONSTRAINT "call_people_pkey" PRIMARY KEY ("linkedid", "user_id"),
        CONSTRAINT "call_people_call_fkey" FOREIGN KEY ("linkedid") REFERENCES "calls"("linkedid") ON DELETE CASCADE)`,
    );
    await queryRunner.query(`
      INSERT INTO call_people (linkedid, user_id, started_at, did, rang, missed, missed_caller_hung_up, pickup_seconds)
      SELECT c.linkedid, l.user_id, c.started_at, c.did,
             bool_or(l.outcome NOT IN ('busy', 'unavailable')),
             bool_or(l.outcome IN ('no_answer', 'rejected', 'cancelled_caller_hung_up') AND NOT (c.disposition = 'answered' AND l.step IS NOT DISTINCT FROM c.step_reached)),
             bool_or(l.outcome = 'cancelled_caller_hung_up' AND NOT (c.disposition = 'answered' AND l.step IS NOT DISTINCT FROM c.step_reached)),
             min(CASE WHEN l.outcome = 'answered' AND l.user_id = c.answered_by_user_id THEN round(extract(epoch FROM l.rang_to - l.rang_from), 3) END)
        FROM calls c JOIN call_legs l ON l.linkedid = c.linkedid
       WHERE c.direction = 'inbound' AND l.user_id IS NOT NULL
       GROUP BY c.linkedid, l.user_id`);
    await queryRunner.query(
      `CREATE INDEX "call_people_stats_idx" ON "call_people" ("started_at") INCLUDE ("user_id", "did", "rang", "missed", "missed_caller_hung_up", "pickup_seconds")`,
    );
    await queryRunner.query(`ANALYZE "call_people"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "call_people"`);
  }
}
