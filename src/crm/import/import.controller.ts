import { Controller, Get, Param, PayloadTooLargeException, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConsumes, ApiHeader, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { Roles } from '../../auth/roles.decorator';
import { DomainError } from '../../common/domain-error';
import { findForbiddenCharacter } from '../../common/text-safety';
import { AppConfig } from '../../config';
import { ImportJobsService, isFinished, type ImportJobView } from './import-jobs.service';

const CSV_TYPES = ['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel', 'application/octet-stream', 'text/tab-separated-values'];
const MAX_WAIT_SECONDS = 60;
/** After a 413 the rest of the body is discarded; a client still sending after this long is cut off. */
const DISCARD_MS = 10_000;

@ApiTags('import')
@ApiBearerAuth()
@Roles('head_of_sales')
@Controller('api/import')
export class ImportController {
  constructor(
    private readonly jobs: ImportJobsService,
    private readonly config: AppConfig,
  ) {}

  /**
   * The client base as the request body (`Content-Type: text/csv`), streamed to disk (up to
   * IMPORT_MAX_MB, else 413) and imported in the background: 202 with the job at once (its
   * Location is GET /api/import/jobs/:id). `?wait=N` (≤ 60 s) waits up to N seconds and answers
   * 200 with the finished job when it finished in time (small files), else 202 as usual.
   * A file that is empty or whose header is unreadable is a 400 naming the line.
   * Columns: company, company_tags, abc, company_phones, contact, position, contact_phones (or phone), responsible_email.
   */
  @Post('clients')
  @ApiConsumes('text/csv')
  @ApiHeader({ name: 'X-File-Name', required: false, description: 'the file name to show in the job (percent-encoded UTF-8)' })
  @ApiQuery({ name: 'wait', required: false, description: 'seconds to wait for the job to finish (0–60)' })
  @ApiAcceptedResponse({ description: 'The job, queued or running: poll GET /api/import/jobs/:id' })
  @ApiOkResponse({ description: 'With ?wait: the job finished in time, with its report' })
  async importClients(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @CurrentUser() user: AuthUser,
    @Query('wait') wait?: string,
  ): Promise<ImportJobView> {
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!CSV_TYPES.includes(type)) {
      request.resume();
      throw new DomainError('invalid', `send the CSV file as the request body with Content-Type: text/csv (got ${type || 'none'})`);
    }
    const waitMs = parseWait(wait);
    const limitMb = this.config.IMPORT_MAX_MB;
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limitMb * 1024 * 1024) this.tooLarge(request, response, limitMb);
    const outcome = await this.jobs.upload(request, fileNameOf(request.headers['x-file-name']), user.id);
    if (!outcome.ok) this.tooLarge(request, response, limitMb);
    const job = waitMs > 0 ? await this.jobs.waitFor(outcome.job.id, waitMs) : outcome.job;
    // Without ?wait the answer is always 202 (accepted), even when a tiny file happened to finish already.
    response.status(waitMs > 0 && isFinished(job.status) ? 200 : 202).setHeader('Location', `/api/import/jobs/${job.id}`);
    return job;
  }

  /** Recent imports, newest first (counts only; GET one job for its error rows). */
  @Get('jobs')
  @ApiQuery({ name: 'limit', required: false })
  listJobs(@Query('limit') limit?: string): Promise<ImportJobView[]> {
    const n = limit === undefined ? 20 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 100) throw new DomainError('invalid', 'limit must be a whole number from 1 to 100', { field: 'limit' });
    return this.jobs.list(n);
  }

  /** Progress (report.rows of rowsTotal, report.errorCount) and, once done, the report with every error row and its line. */
  @Get('jobs/:id')
  getJob(@Param('id') id: string): Promise<ImportJobView> {
    return this.jobs.get(id);
  }

  private tooLarge(request: Request, response: Response, limitMb: number): never {
    // Node discards the rest of the body once the answer is sent; a client that keeps sending is cut off.
    response.setHeader('Connection', 'close');
    setTimeout(() => {
      if (!request.complete) request.destroy();
    }, DISCARD_MS).unref();
    throw new PayloadTooLargeException(`the file is larger than the import limit of ${limitMb} MB (IMPORT_MAX_MB); split it or ask the admin to raise the limit`);
  }
}

function parseWait(wait: string | undefined): number {
  if (wait === undefined || wait === '') return 0;
  const seconds = Number(wait);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_WAIT_SECONDS) {
    throw new DomainError('invalid', `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`, { field: 'wait' });
  }
  return seconds * 1000;
}

/** The file name the page sends (percent-encoded), kept short and printable; null when absent or unreadable. */
function fileNameOf(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string' || header === '') return null;
  let name: string;
  try {
    name = decodeURIComponent(header);
  } catch {
    return null;
  }
  name = name.trim().slice(0, 255);
  return name && !findForbiddenCharacter(name) ? name : null;
}
