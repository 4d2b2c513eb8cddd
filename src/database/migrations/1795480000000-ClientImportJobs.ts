import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Client-base imports as background jobs (src/crm/import/import-jobs.service.ts): progress and
 * report in Postgres, so any instance answers GET /api/import/jobs/:id, and a job whose instance
 * died (no heartbeat) shows as interrupted. Plus the lookups the import does per chunk of rows:
 * companies and contacts by case-insensitive name (they were sequential scans).
 */
export class ClientImportJobs1795480000000 implements MigrationInterface {
  name = 'ClientImportJobs1795480000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "import_jobs" (
        "id" uuid NOT NULL,
        "status" text NOT NULL CONSTRAINT "import_jobs_status_check" CHECK ("status" IN ('queued', 'running', 'done', 'failed', 'interrupted')),
        "file_name" text,
        "bytes" bigint NOT NULL,
        "encoding" text NOT NULL,
        "delimiter" text NOT NULL,
        "created_by" uuid,
        "runner" text NOT NULL,
        "rows_total" integer,
        "summary" jsonb NOT NULL,
        "errors" jsonb NOT NULL DEFAULT '[]',
        "message" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "started_at" TIMESTAMP WITH TIME ZONE,
        "finished_at" TIMESTAMP WITH TIME ZONE,
        "heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "import_jobs_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "import_jobs_created_by_fkey" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL
      )`,
    );
    await queryRunner.query(`CREATE INDEX "import_jobs_created_idx" ON "import_jobs" ("created_at")`);
    await queryRunner.query(`CREATE INDEX "companies_name_lower_idx" ON "companies" (lower("name"))`);
    await queryRunner.query(`CREATE INDEX "contacts_company_name_lower_idx" ON "contacts" ("company_id", lower("name"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "contacts_company_name_lower_idx"`);
    await queryRunner.query(`DROP INDEX "companies_name_lower_idx"`);
    await queryRunner.query(`DROP TABLE "import_jobs"`);
  }
}
