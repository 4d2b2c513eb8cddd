import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The voicemail message a caller left (app_voicemail's VM_MESSAGEFILE: the file on the PBX):
 * on the call (calls.voicemail_message) and on the callback task of the missed call
 * (tasks.voicemail_message, the latest message of the calls merged into it), so the lead, the task
 * and the caller card link to it. Calls and tasks stored before have none.
 */
export class VoicemailMessages1795540000000 implements MigrationInterface {
  name = 'VoicemailMessages1795540000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "calls" ADD "voicemail_message" text`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "voicemail_message" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "voicemail_message"`);
    await queryRunner.query(`ALTER TABLE "calls" DROP COLUMN "voicemail_message"`);
  }
}
