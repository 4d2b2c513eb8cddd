import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { ImportRowError, ImportSummary } from './client-import';

export const IMPORT_JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'interrupted'] as const;
export type ImportJobStatus = (typeof IMPORT_JOB_STATUSES)[number];

/** The counts of an ImportSummary (its listed errors are kept in their own column, appended as they come). */
export type ImportCounts = Omit<ImportSummary, 'errors'>;

/** One client-base import (see ImportJobsService). */
@Entity('import_jobs')
export class ImportJob {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  status!: ImportJobStatus;

  @Column({ name: 'file_name', type: 'text', nullable: true })
  fileName!: string | null;

  @Column({ type: 'bigint', transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  bytes!: number;

  /** As encodingLabel() says: `utf-8`, `utf-8-bom`, `windows-1251`, `utf-16le`, `utf-8+windows-1251`… */
  @Column({ type: 'text' })
  encoding!: string;

  @Column({ type: 'text' })
  delimiter!: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  /** The instance importing it (host and DATA_DIR): restarted, it marks its own unfinished jobs interrupted at once. */
  @Column({ type: 'text' })
  runner!: string;

  /** Data rows in the file, counted before the import starts (null until then). */
  @Column({ name: 'rows_total', type: 'integer', nullable: true })
  rowsTotal!: number | null;

  @Column({ type: 'jsonb' })
  summary!: ImportCounts;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  errors!: ImportRowError[];

  /** Why it failed or was interrupted. */
  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** Written every few seconds by the instance running it; a stale one means that instance is gone. */
  @Column({ name: 'heartbeat_at', type: 'timestamptz' })
  heartbeatAt!: Date;
}
