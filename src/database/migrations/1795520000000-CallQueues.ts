import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * call_queues: the caller's stays in the customer's app_queue queues, one row per stay
 * (CallRecord.queues, written by the call writer with the call's legs), for the per-queue
 * statistics (src/stats/queue-stats.ts: offered, answered, abandoned with the wait, service level).
 *
 * Calls stored before have no rows: their records and raw events hold no queue events (the tracker
 * did not keep QueueCaller* events), so `npm run rebuild-calls` gives them none either.
 */
export class CallQueues1795520000000 implements MigrationInterface {
  name = 'CallQueues1795520000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "call_queues" (
        "linkedid" text NOT NULL,
        "seq" integer NOT NULL,
        "queue" text NOT NULL,
        "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "left_at" TIMESTAMP WITH TIME ZONE,
        "outcome" text NOT NULL,
        "wait_seconds" real NOT NULL,
        "answered_by_extension" text,
        CONSTRAINT "call_queues_pkey" PRIMARY KEY ("linkedid", "seq"),
        CONSTRAINT "call_queues_outcome_check" CHECK ("outcome" IN ('answered', 'abandoned', 'left')),
        CONSTRAINT "call_queues_call_fkey" FOREIGN KEY ("linkedid") REFERENCES "calls"("linkedid") ON DELETE CASCADE)`);
    await queryRunner.query(`CREATE INDEX "call_queues_queue_joined_idx" ON "call_queues" ("queue", "joined_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "call_queues"`);
  }
}
