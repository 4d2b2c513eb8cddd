import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calls the database kept refusing (one bad call never blocks the others): the record, its raw
 * events (escaped as call-storage-text.ts says) and the last error. `npm run retry-calls` writes
 * them after a fix and removes them from here.
 */
export class CallsDeadLetter1795490000000 implements MigrationInterface {
  name = 'CallsDeadLetter1795490000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "calls_dead_letter" (
      "linkedid" text PRIMARY KEY,
      "record" jsonb NOT NULL,
      "events" jsonb NOT NULL,
      "error" text NOT NULL,
      "sqlstate" text,
      "attempts" integer NOT NULL,
      "first_failed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "parked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
    )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "calls_dead_letter"`);
  }
}
