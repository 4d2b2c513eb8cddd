import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the statistics read (src/stats/stats.queries.ts), reviewed with EXPLAIN on 1M calls
 * (bench/stats.ts): covering indexes so a month of calls, their legs and callback tasks come
 * from index-only scans, and the placing person of an outbound call as a column (it lives in
 * the record's JSON; a stored generated column keeps the writers unchanged).
 */
export class StatsIndexes1795450000000 implements MigrationInterface {
  name = 'StatsIndexes1795450000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "calls" ADD "placed_by" text GENERATED ALWAYS AS ("record"->>'placedBy') STORED`);
    await queryRunner.query(
      `CREATE INDEX "calls_stats_idx" ON "calls" ("started_at") INCLUDE ("linkedid", "direction", "did", "disposition", "abandoned", "voicemail", "step_reached", "ring_seconds", "talk_seconds", "answered_by_user_id", "placed_by", "caller")`,
    );
    await queryRunner.query(
      `CREATE INDEX "call_legs_stats_idx" ON "call_legs" ("rang_from") INCLUDE ("linkedid", "user_id", "step", "outcome", "rang_to")`,
    );
    await queryRunner.query(
      `CREATE INDEX "tasks_callback_missed_idx" ON "tasks" ("first_missed_at") INCLUDE ("callback_seconds", "done_at", "due_at", "assignee_id", "closed_by_user_id", "phone") WHERE kind = 'callback'`,
    );
    await queryRunner.query(
      `CREATE INDEX "tasks_callback_done_idx" ON "tasks" ("done_at") INCLUDE ("callback_seconds", "closed_by_user_id", "first_missed_at", "phone") WHERE kind = 'callback' AND callback_seconds IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "tasks_callback_open_due_idx" ON "tasks" ("due_at") INCLUDE ("assignee_id") WHERE kind = 'callback' AND done_at IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."tasks_callback_open_due_idx"`);
    await queryRunner.query(`DROP INDEX "public"."tasks_callback_done_idx"`);
    await queryRunner.query(`DROP INDEX "public"."tasks_callback_missed_idx"`);
    await queryRunner.query(`DROP INDEX "public"."call_legs_stats_idx"`);
    await queryRunner.query(`DROP INDEX "public"."calls_stats_idx"`);
    await queryRunner.query(`ALTER TABLE "calls" DROP COLUMN "placed_by"`);
  }
}
