import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError, notFound } from '../../common/domain-error';
import { readRows, text } from '../../common/sql-rows';
import { AppConfig } from '../../config';
import {
  countClientRows,
  emptySummary,
  importClients,
  ImportInterruptedError,
  openClientCsv,
  type ClientCsv,
  type ImportRowError,
  type ImportSummary,
} from './client-import';
import { ImportJob, type ImportCounts, type ImportJobStatus } from './import-job.entity';
import { saveStream } from './save-stream';
import { encodingLabel } from './text-lines';

/** What GET /api/import/jobs/:id answers. */
export interface ImportJobView {
  id: string;
  status: ImportJobStatus;
  fileName: string | null;
  bytes: number;
  encoding: string;
  delimiter: string;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Data rows in the file (null while they are being counted); progress is report.rows of rowsTotal. */
  rowsTotal: number | null;
  /** Why the job failed or was interrupted. */
  message: string | null;
  /** So far while running; the final report once done. */
  report: ImportSummary;
}

export type UploadOutcome = { ok: true; job: ImportJobView } | { ok: false; reason: 'too_large'; limitBytes: number };

/** An instance writes its jobs' heartbeat this often; a job without one for STALE_SECONDS was interrupted. */
const HEARTBEAT_MS = 5_000;
export const STALE_SECONDS = 30;
/** How long shutdown waits for a running chunk to be written and the job marked interrupted. */
const SHUTDOWN_WAIT_MS = 15_000;

const FINISHED: readonly ImportJobStatus[] = ['done', 'failed', 'interrupted'];

export function isFinished(status: ImportJobStatus): boolean {
  return FINISHED.includes(status);
}

export function jobView(job: ImportJob): ImportJobView {
  const { summary, errors, heartbeatAt: _heartbeat, runner: _runner, ...rest } = job;
  return { ...rest, report: { ...emptySummary(), ...summary, errors } };
}

const countsOf = ({ errors: _errors, ...counts }: ImportSummary): ImportCounts => counts;

interface LocalJob {
  abort: AbortController;
  finished: Promise<void>;
}

/**
 * Client-base imports as background jobs. An upload is streamed to DATA_DIR/imports, its header
 * checked (a bad file is refused at once), and a job row written; this instance then imports it
 * (one job at a time, in upload order), writing progress and errors to the row after every chunk,
 * and a heartbeat every few seconds. Any instance answers for any job from the row; a job whose
 * instance stopped (SIGTERM: marked at once; kill -9: heartbeat older than STALE_SECONDS) shows as
 * `interrupted`, with what it had imported. The rows it wrote stay: importing the file again
 * recognises them.
 */
@Injectable()
export class ImportJobsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ImportJobsService.name);
  private readonly local = new Map<string, LocalJob>();
  private queue: Promise<void> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  get uploadDir(): string {
    return join(this.config.dataDir, 'imports');
  }

  /** This instance, as stored on its jobs: its uploads live in its DATA_DIR, so nobody else can finish them. */
  private get runner(): string {
    return `${hostname()}:${this.config.dataDir}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    await mkdir(this.uploadDir, { recursive: true });
    // Uploads left by a previous run of this instance (killed mid-import): their jobs cannot go on.
    for (const name of await readdir(this.uploadDir)) await rm(join(this.uploadDir, name), { force: true });
    const stale = await this.markStale(this.runner);
    if (stale.length) this.logger.warn(`import jobs interrupted by a stop of their instance: ${stale.join(', ')}`);
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** SIGTERM / app.close(): running and queued jobs stop between two chunks and are marked interrupted. */
  async onModuleDestroy(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    const jobs = [...this.local.values()];
    for (const job of jobs) job.abort.abort();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_WAIT_MS);
    });
    await Promise.race([Promise.all(jobs.map((job) => job.finished)), timeout]);
    clearTimeout(timer);
  }

  /**
   * Receives an upload: streamed to a file (beyond IMPORT_MAX_MB: too_large, nothing kept), the
   * header checked (DomainError 'invalid' naming the line), then queued. Returns at once.
   */
  async upload(body: Readable, fileName: string | null, userId: string | null): Promise<UploadOutcome> {
    const limitBytes = this.config.IMPORT_MAX_MB * 1024 * 1024;
    const id = randomUUID();
    const path = join(this.uploadDir, `${id}.csv`);
    const saved = await saveStream(body, path, limitBytes).catch((error: unknown) => {
      this.logger.error(`import upload not stored in ${this.uploadDir}: ${describe(error)}`);
      throw new DomainError('unavailable', `the upload could not be stored (DATA_DIR/imports): ${describe(error)}`);
    });
    if (!saved.ok && saved.reason === 'too_large') return { ok: false, reason: 'too_large', limitBytes };
    if (!saved.ok) throw new DomainError('invalid', saved.message);
    let csv: ClientCsv;
    try {
      csv = await openClientCsv(path);
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    const repo = this.dataSource.getRepository(ImportJob);
    const { errors: _errors, ...counts } = emptySummary();
    await repo.insert({
      id,
      status: 'queued',
      fileName,
      bytes: saved.bytes,
      encoding: encodingLabel(csv.file.encoding),
      delimiter: csv.file.delimiter,
      createdBy: userId,
      runner: this.runner,
      summary: counts,
      errors: [],
      heartbeatAt: new Date(),
    });
    this.logger.log(`import job ${id} queued by user ${userId ?? '-'}: ${fileName ?? 'unnamed'}, ${saved.bytes} bytes, ${encodingLabel(csv.file.encoding)}`);
    this.enqueue(id, csv, path);
    return { ok: true, job: await this.get(id) };
  }

  /** The job as stored; a running job whose instance stopped answering is marked interrupted first. */
  async get(id: string): Promise<ImportJobView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('import job', id);
    await this.markStale();
    const job = await this.dataSource.getRepository(ImportJob).findOne({ where: { id } });
    if (!job) throw notFound('import job', id);
    return jobView(job);
  }

  /** The latest jobs, newest first (their listed errors left out). */
  async list(limit = 20): Promise<ImportJobView[]> {
    await this.markStale();
    const jobs = await this.dataSource.getRepository(ImportJob).find({ order: { createdAt: 'DESC' }, take: Math.min(Math.max(limit, 1), 100) });
    return jobs.map((job) => ({ ...jobView(job), report: { ...jobView(job).report, errors: [] } }));
  }

  /** Waits up to `ms` for a job of this instance to finish, then answers it as it is. */
  async waitFor(id: string, ms: number): Promise<ImportJobView> {
    const local = this.local.get(id);
    if (local && ms > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([local.finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
    }
    return this.get(id);
  }

  private enqueue(id: string, csv: ClientCsv, path: string): void {
    const abort = new AbortController();
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    this.local.set(id, { abort, finished });
    this.queue = this.queue.then(() =>
      this.run(id, csv, abort.signal)
        .catch((error: unknown) => this.logger.error(`import job ${id}: ${describe(error)}`))
        .finally(async () => {
          this.local.delete(id);
          await rm(path, { force: true }).catch(() => undefined);
          done();
        }),
    );
  }

  private async run(id: string, csv: ClientCsv, signal: AbortSignal): Promise<void> {
    const repo = this.dataSource.getRepository(ImportJob);
    let latest = emptySummary();
    if (signal.aborted) {
      await this.finish(id, 'interrupted', latest, 'the service stopped before the import started; upload the file again');
      return;
    }
    const started = Date.now();
    await repo.update(id, { status: 'running', startedAt: new Date(), heartbeatAt: new Date() });
    try {
      const rowsTotal = await countClientRows(csv);
      await repo.update(id, { rowsTotal });
      let saved = 0;
      const summary = await importClients(this.dataSource, csv, {
        region: this.config.DEFAULT_REGION,
        signal,
        onProgress: async (progress) => {
          latest = progress;
          await this.saveProgress(id, progress, progress.errors.slice(saved));
          saved = progress.errors.length;
        },
      });
      await this.finish(id, 'done', summary, null);
      this.logger.log(
        `import job ${id}: ${summary.rows} rows, ${summary.imported} imported (${summary.unchanged} unchanged), ${summary.errorCount} with errors, in ${Date.now() - started} ms`,
      );
    } catch (error) {
      if (error instanceof ImportInterruptedError) {
        await this.finish(id, 'interrupted', error.summary, `the service stopped after ${error.summary.rows} rows; upload the file again: rows already imported are recognised and left unchanged`);
        this.logger.warn(`import job ${id} interrupted by shutdown after ${error.summary.rows} rows`);
        return;
      }
      this.logger.error(`import job ${id} failed after ${latest.rows} rows: ${describe(error)}`);
      const message = error instanceof DomainError ? error.message : `the import stopped after ${latest.rows} rows: ${describe(error)}`;
      await this.finish(id, 'failed', latest, message);
    }
  }

  private async saveProgress(id: string, summary: ImportSummary, newErrors: ImportRowError[]): Promise<void> {
    await this.dataSource.query(`UPDATE import_jobs SET summary = $2::jsonb, errors = errors || $3::jsonb, heartbeat_at = now() WHERE id = $1`, [
      id,
      JSON.stringify(countsOf(summary)),
      JSON.stringify(newErrors),
    ]);
  }

  private async finish(id: string, status: ImportJobStatus, summary: ImportSummary, message: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE import_jobs SET status = $2, summary = $3::jsonb, errors = $4::jsonb, message = $5, finished_at = now(), heartbeat_at = now() WHERE id = $1`,
      [id, status, JSON.stringify(countsOf(summary)), JSON.stringify(summary.errors), message],
    );
  }

  private async beat(): Promise<void> {
    const ids = [...this.local.keys()];
    if (!ids.length) return;
    await this.dataSource
      .query(`UPDATE import_jobs SET heartbeat_at = now() WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')`, [ids])
      .catch((error: unknown) => this.logger.warn(`import jobs heartbeat not written: ${describe(error)}`));
  }

  /**
   * Jobs whose instance stopped: no heartbeat for STALE_SECONDS, or (at start) this instance's own
   * from before a restart. Interrupted, keeping what they had imported.
   */
  private async markStale(restartedRunner?: string): Promise<string[]> {
    const result: unknown = await this.dataSource.query(
      `UPDATE import_jobs SET status = 'interrupted', finished_at = now(),
              message = 'the service running this import stopped; the rows in the report were imported — upload the file again: rows already imported are recognised and left unchanged'
        WHERE status IN ('queued', 'running') AND (heartbeat_at < now() - interval '${STALE_SECONDS} seconds' OR runner = $1)
        RETURNING id`,
      [restartedRunner ?? null],
    );
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    return readRows('interrupted import jobs', Array.isArray(result) ? result[0] : result, { id: text }).map((row) => row.id);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
