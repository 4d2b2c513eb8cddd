import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Route decisions (joined to calls by linkedid/uniqueid) and routing settings edited through the API. */
export class RouteDecisions1795447500000 implements MigrationInterface {
  name = 'RouteDecisions1795447500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "route_decisions" ("id" BIGSERIAL NOT NULL, "uniqueid" text, "linkedid" text, "caller" text NOT NULL, "caller_raw" text NOT NULL, "did" text NOT NULL, "known" boolean NOT NULL, "responsible_id" uuid, "chain" text NOT NULL, "rule" text NOT NULL, "steps" jsonb NOT NULL, "empty_steps" text array NOT NULL, "skipped" jsonb NOT NULL, "final_action" text NOT NULL, "plan" text NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, "duration_us" integer NOT NULL, CONSTRAINT "PK_route_decisions" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "route_decisions_uniqueid_idx" ON "route_decisions" ("uniqueid") `);
    await queryRunner.query(`CREATE INDEX "route_decisions_linkedid_idx" ON "route_decisions" ("linkedid") `);
    await queryRunner.query(`CREATE INDEX "route_decisions_decided_idx" ON "route_decisions" ("decided_at") `);
    await queryRunner.query(`CREATE TABLE "routing_settings" ("key" text NOT NULL, "value" jsonb NOT NULL, "updated_by" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_routing_settings" PRIMARY KEY ("key"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "routing_settings"`);
    await queryRunner.query(`DROP TABLE "route_decisions"`);
  }
}
