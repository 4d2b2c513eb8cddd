import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An index on calls.updated_at (when the call writer last wrote the call): lead capture's outbox
 * is "calls written in the last 7 days with no lead_capture_log row", so a call parked in the
 * dead letter for longer and written by `npm run retry-calls` still gets its lead.
 */
export class CallsWrittenIndex1795530000000 implements MigrationInterface {
  name = 'CallsWrittenIndex1795530000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "calls_updated_idx" ON "calls" ("updated_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."calls_updated_idx"`);
  }
}
