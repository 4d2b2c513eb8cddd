import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LeadCapture1795446000000 implements MigrationInterface {
  name = 'LeadCapture1795446000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tasks" ADD "callback_attempts" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "last_attempt_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "closed_by_user_id" uuid`);
    await queryRunner.query(`CREATE INDEX "tasks_open_callbacks_idx" ON "tasks" ("phone") WHERE kind = 'callback' AND done_at IS NULL`);
    await queryRunner.query(
      `CREATE TABLE "lead_capture_log" ("linkedid" text NOT NULL, "phone" text NOT NULL, "reason" text NOT NULL, "applied_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_lead_capture_log" PRIMARY KEY ("linkedid"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "lead_capture_log"`);
    await queryRunner.query(`DROP INDEX "public"."tasks_open_callbacks_idx"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "closed_by_user_id"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "last_attempt_at"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "callback_attempts"`);
  }
}
