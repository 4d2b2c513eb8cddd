import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1795442232470 implements MigrationInterface {
    name = 'Init1795442232470'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "departments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying NOT NULL, CONSTRAINT "PK_839517a681a86bb84cbcc6a1e9d" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "departments_name_key" ON "departments" ("name") `);
        await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying NOT NULL, "email" character varying NOT NULL, "password_hash" text, "role" text NOT NULL, "extensions" text array NOT NULL DEFAULT '{}', "devices" text array NOT NULL DEFAULT '{}', "department_id" uuid, "dnd" boolean NOT NULL DEFAULT false, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "users_email_key" ON "users" ("email") `);
        await queryRunner.query(`CREATE TABLE "contacts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying NOT NULL, "position" text, "company_id" uuid, "responsible_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b99cd40cfd66a99f1571f4f72e6" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "contacts_company_idx" ON "contacts" ("company_id") `);
        await queryRunner.query(`CREATE TABLE "phone_numbers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "e164" character varying NOT NULL, "raw" text, "company_id" uuid, "contact_id" uuid, CONSTRAINT "phone_numbers_one_owner" CHECK ((company_id IS NULL) <> (contact_id IS NULL)), CONSTRAINT "PK_a72cf9a1834a1417e195fdd2c02" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "phone_numbers_e164_key" ON "phone_numbers" ("e164") `);
        await queryRunner.query(`CREATE INDEX "phone_numbers_company_idx" ON "phone_numbers" ("company_id") `);
        await queryRunner.query(`CREATE INDEX "phone_numbers_contact_idx" ON "phone_numbers" ("contact_id") `);
        await queryRunner.query(`CREATE TABLE "companies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying NOT NULL, "tags" text array NOT NULL DEFAULT '{}', "abc_category" character(1), "responsible_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d4bc3e82a314fa9e29f652c2c22" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "companies_name_key" ON "companies" ("name") `);
        await queryRunner.query(`CREATE TABLE "pipeline_stages" ("id" text NOT NULL, "name" character varying NOT NULL, "position" integer NOT NULL, "is_closed" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_92e43270eace072ad5182fc08e2" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "deals" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "title" character varying NOT NULL, "stage_id" text NOT NULL DEFAULT 'unsorted', "budget" numeric(14,2), "responsible_id" uuid, "company_id" uuid, "contact_id" uuid, "source" text NOT NULL DEFAULT 'manual', "line" text, "close_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8c66f03b250f613ff8615940b4b" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "deals_stage_idx" ON "deals" ("stage_id") `);
        await queryRunner.query(`CREATE INDEX "deals_responsible_idx" ON "deals" ("responsible_id") `);
        await queryRunner.query(`CREATE INDEX "deals_company_idx" ON "deals" ("company_id") `);
        await queryRunner.query(`CREATE INDEX "deals_contact_idx" ON "deals" ("contact_id") `);
        await queryRunner.query(`CREATE TABLE "tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "title" character varying NOT NULL, "kind" text NOT NULL DEFAULT 'todo', "deal_id" uuid, "contact_id" uuid, "company_id" uuid, "phone" text, "assignee_id" uuid, "due_at" TIMESTAMP WITH TIME ZONE, "done_at" TIMESTAMP WITH TIME ZONE, "notes" text, "missed_calls" integer NOT NULL DEFAULT '0', "first_missed_at" TIMESTAMP WITH TIME ZONE, "last_missed_at" TIMESTAMP WITH TIME ZONE, "callback_seconds" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8d12ff38fcc62aaba2cab748772" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "tasks_deal_idx" ON "tasks" ("deal_id") `);
        await queryRunner.query(`CREATE INDEX "tasks_contact_idx" ON "tasks" ("contact_id") `);
        await queryRunner.query(`CREATE INDEX "tasks_phone_idx" ON "tasks" ("phone") `);
        await queryRunner.query(`CREATE INDEX "tasks_assignee_idx" ON "tasks" ("assignee_id") `);
        await queryRunner.query(`CREATE TABLE "calls" ("linkedid" text NOT NULL, "direction" text NOT NULL, "caller" text NOT NULL, "caller_name" text, "callee" text, "did" text, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "answered_at" TIMESTAMP WITH TIME ZONE, "ended_at" TIMESTAMP WITH TIME ZONE, "ring_seconds" real NOT NULL DEFAULT '0', "talk_seconds" real NOT NULL DEFAULT '0', "answered_by_extension" text, "answered_by_user_id" uuid, "disposition" text NOT NULL, "abandoned" boolean NOT NULL DEFAULT false, "voicemail" boolean NOT NULL DEFAULT false, "step_reached" text, "step_index" integer NOT NULL DEFAULT '0', "hangup_cause" integer, "hung_up_by" text, "transferred_to" text, "recording_file" text, "closed_by" text NOT NULL DEFAULT 'hangup', "record" jsonb NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_40b4f8c17b6807aab740e860608" PRIMARY KEY ("linkedid"))`);
        await queryRunner.query(`CREATE INDEX "calls_answered_by_idx" ON "calls" ("answered_by_user_id") `);
        await queryRunner.query(`CREATE INDEX "calls_caller_idx" ON "calls" ("caller", "started_at") `);
        await queryRunner.query(`CREATE INDEX "calls_started_idx" ON "calls" ("started_at") `);
        await queryRunner.query(`CREATE TABLE "call_legs" ("linkedid" text NOT NULL, "seq" integer NOT NULL, "extension" text NOT NULL, "user_id" uuid, "step" text, "rang_from" TIMESTAMP WITH TIME ZONE, "rang_to" TIMESTAMP WITH TIME ZONE, "outcome" text NOT NULL, CONSTRAINT "PK_014d5d1a63ae177868d725e998e" PRIMARY KEY ("linkedid", "seq"))`);
        await queryRunner.query(`CREATE INDEX "call_legs_user_idx" ON "call_legs" ("user_id") `);
        await queryRunner.query(`CREATE TABLE "call_raw_events" ("linkedid" text NOT NULL, "events" jsonb NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_93ecfbcdb82a9f07022366b29b0" PRIMARY KEY ("linkedid"))`);
        await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "FK_0921d1972cf861d568f5271cd85" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "contacts" ADD CONSTRAINT "FK_b53945f3dfe982678bfeb5e1b4f" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "contacts" ADD CONSTRAINT "FK_45fa0c2ad6be90230c383e26bd6" FOREIGN KEY ("responsible_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "phone_numbers" ADD CONSTRAINT "FK_8314b083c088d4d3fca6168a627" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "phone_numbers" ADD CONSTRAINT "FK_9bd00c7e904a484c8c27b453bbd" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "companies" ADD CONSTRAINT "FK_889ca211ba48e89c387f05ca91a" FOREIGN KEY ("responsible_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "deals" ADD CONSTRAINT "FK_23f5265469e4b4daea988d91465" FOREIGN KEY ("stage_id") REFERENCES "pipeline_stages"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "deals" ADD CONSTRAINT "FK_cfeae265e35a0cfd2834f2fb9db" FOREIGN KEY ("responsible_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "deals" ADD CONSTRAINT "FK_eb4869da6d8f7121b269140994d" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "deals" ADD CONSTRAINT "FK_76e504b6bb116e6cdc2ee6a0cb5" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "tasks" ADD CONSTRAINT "FK_a14d7d609f64c45c3a054b97ba4" FOREIGN KEY ("deal_id") REFERENCES "deals"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "tasks" ADD CONSTRAINT "FK_5489b511b5347d806677939151f" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "tasks" ADD CONSTRAINT "FK_53fbfb9d05347278ea35ccb3aca" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "tasks" ADD CONSTRAINT "FK_855d484825b715c545349212c7f" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "call_legs" ADD CONSTRAINT "FK_530feddff8530c0ac038781e0f4" FOREIGN KEY ("linkedid") REFERENCES "calls"("linkedid") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`INSERT INTO "pipeline_stages" ("id", "name", "position", "is_closed") VALUES
            ('unsorted', 'Unsorted', 1, false),
            ('qualified', 'Qualified', 2, false),
            ('meeting_scheduled', 'Meeting scheduled', 3, false),
            ('proposal_sent', 'Proposal sent', 4, false),
            ('invoice_sent', 'Invoice sent', 5, false),
            ('won', 'Won', 6, true),
            ('conditional_refusal', 'Conditional refusal', 7, true),
            ('lost', 'Lost', 8, true)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "call_legs" DROP CONSTRAINT "FK_530feddff8530c0ac038781e0f4"`);
        await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "FK_855d484825b715c545349212c7f"`);
        await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "FK_53fbfb9d05347278ea35ccb3aca"`);
        await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "FK_5489b511b5347d806677939151f"`);
        await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "FK_a14d7d609f64c45c3a054b97ba4"`);
        await queryRunner.query(`ALTER TABLE "deals" DROP CONSTRAINT "FK_76e504b6bb116e6cdc2ee6a0cb5"`);
        await queryRunner.query(`ALTER TABLE "deals" DROP CONSTRAINT "FK_eb4869da6d8f7121b269140994d"`);
        await queryRunner.query(`ALTER TABLE "deals" DROP CONSTRAINT "FK_cfeae265e35a0cfd2834f2fb9db"`);
        await queryRunner.query(`ALTER TABLE "deals" DROP CONSTRAINT "FK_23f5265469e4b4daea988d91465"`);
        await queryRunner.query(`ALTER TABLE "companies" DROP CONSTRAINT "FK_889ca211ba48e89c387f05ca91a"`);
        await queryRunner.query(`ALTER TABLE "phone_numbers" DROP CONSTRAINT "FK_9bd00c7e904a484c8c27b453bbd"`);
        await queryRunner.query(`ALTER TABLE "phone_numbers" DROP CONSTRAINT "FK_8314b083c088d4d3fca6168a627"`);
        await queryRunner.query(`ALTER TABLE "contacts" DROP CONSTRAINT "FK_45fa0c2ad6be90230c383e26bd6"`);
        await queryRunner.query(`ALTER TABLE "contacts" DROP CONSTRAINT "FK_b53945f3dfe982678bfeb5e1b4f"`);
        await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_0921d1972cf861d568f5271cd85"`);
        await queryRunner.query(`DROP TABLE "call_raw_events"`);
        await queryRunner.query(`DROP INDEX "public"."call_legs_user_idx"`);
        await queryRunner.query(`DROP TABLE "call_legs"`);
        await queryRunner.query(`DROP INDEX "public"."calls_started_idx"`);
        await queryRunner.query(`DROP INDEX "public"."calls_caller_idx"`);
        await queryRunner.query(`DROP INDEX "public"."calls_answered_by_idx"`);
        await queryRunner.query(`DROP TABLE "calls"`);
        await queryRunner.query(`DROP INDEX "public"."tasks_assignee_idx"`);
        await queryRunner.query(`DROP INDEX "public"."tasks_phone_idx"`);
        await queryRunner.query(`DROP INDEX "public"."tasks_contact_idx"`);
        await queryRunner.query(`DROP INDEX "public"."tasks_deal_idx"`);
        await queryRunner.query(`DROP TABLE "tasks"`);
        await queryRunner.query(`DROP INDEX "public"."deals_contact_idx"`);
        await queryRunner.query(`DROP INDEX "public"."deals_company_idx"`);
        await queryRunner.query(`DROP INDEX "public"."deals_responsible_idx"`);
        await queryRunner.query(`DROP INDEX "public"."deals_stage_idx"`);
        await queryRunner.query(`DROP TABLE "deals"`);
        await queryRunner.query(`DROP TABLE "pipeline_stages"`);
        await queryRunner.query(`DROP INDEX "public"."companies_name_key"`);
        await queryRunner.query(`DROP TABLE "companies"`);
        await queryRunner.query(`DROP INDEX "public"."phone_numbers_contact_idx"`);
        await queryRunner.query(`DROP INDEX "public"."phone_numbers_company_idx"`);
        await queryRunner.query(`DROP INDEX "public"."phone_numbers_e164_key"`);
        await queryRunner.query(`DROP TABLE "phone_numbers"`);
        await queryRunner.query(`DROP INDEX "public"."contacts_company_idx"`);
        await queryRunner.query(`DROP TABLE "contacts"`);
        await queryRunner.query(`DROP INDEX "public"."users_email_key"`);
        await queryRunner.query(`DROP TABLE "users"`);
        await queryRunner.query(`DROP INDEX "public"."departments_name_key"`);
        await queryRunner.query(`DROP TABLE "departments"`);
    }

}
