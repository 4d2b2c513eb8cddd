import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * calls.placed_by_user_id: the person who placed an outbound/internal call, resolved by the call
 * writer when it stores the call (extension_owners: the one rule), like answered_by_user_id — so
 * the statistics credit a call to whoever owned the extension then, not to whoever owns it when
 * the dashboard is read (deactivating a person who left keeps their history).
 *
 * Calls stored before get the rule the statistics used until now, frozen here: the extension's
 * active user, else an inactive one, the oldest first. The covering index of the statistics
 * carries the new column instead of the extension.
 */
export class CallsPlacedByUser1795515000000 implements MigrationInterface {
  name = 'CallsPlacedByUser1795515000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "calls" ADD "placed_by_user_id" uuid`);
    await queryRunner.query(`
      UPDATE calls c SET placed_by_user_id = (
        SELECT u.id FROM users u WHERE c.placed_by = ANY(u.extensions) ORDER BY u.active DESC, u.created_at, u.id LIMIT 1)
       WHERE c.placed_by IS NOT NULL`);
    await queryRunner.query(`DROP INDEX "public"."calls_stats_idx"`);
    await queryRunner.query(
      `CREATE INDEX "calls_stats_idx" ON "calls" ("started_at") INCLUDE ("linkedid", "direction", "did", "disposition", "abandoned", "voicemail", "step_reached", "ring_seconds", "talk_seconds", "answered_by_user_id", "placed_by_user_id", "caller")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."calls_stats_idx"`);
    await queryRunner.query(
      `CREATE INDEX "calls_stats_idx" ON "calls" ("started_at") INCLUDE ("linkedid", "direction", "did", "disposition", "abandoned", "voicemail", "step_reached", "ring_seconds", "talk_seconds", "answered_by_user_id", "placed_by", "caller")`,
    );
    await queryRunner.query(`ALTER TABLE "calls" DROP COLUMN "placed_by_user_id"`);
  }
}
