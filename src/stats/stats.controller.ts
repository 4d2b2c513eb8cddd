import { CALLS_CSV_COLUMNS, csvHeader, MANAGERS_CSV_COLUMNS } from './csv-headers';
import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles, SUPERVISORS } from '../auth/roles.decorator';
import { csvDialect, localDate, toCsv } from './csv';
import { AppConfig } from '../config';
import {
  DEFAULT_ANSWERED_WITHIN,
  QueueStatsQueryDto,
  StatsCallsExportQueryDto,
  StatsCallsQueryDto,
  StatsExportQueryDto,
  StatsQueryDto,
} from './dto/stats-query.dto';
import { LiveCallsService, type LiveCounts } from './live-calls.service';
import { QueueStatsService, type QueueStatsResponse } from './queue-stats.service';
import {
  StatsService,
  type CallbacksView,
  type DashboardView,
  type DayRow,
  type DrillPage,
  type HeatmapView,
  type ManagerRow,
  type OverviewView,
} from './stats.service';

/** Call statistics for the head of sales and above (definitions in README, "Call statistics"). */
@ApiTags('stats')
@ApiBearerAuth()
@Roles(...SUPERVISORS)
@Controller('api/stats')
export class StatsController {
  constructor(
    private readonly stats: StatsService,
    private readonly live: LiveCallsService,
    private readonly queueStats: QueueStatsService,
    private readonly config: AppConfig,
  ) {}

  /** Everything the dashboard shows for the period, in one response. */
  @Get('dashboard')
  async dashboard(@Query() query: StatsQueryDto): Promise<DashboardView> {
    return this.stats.dashboard(await this.stats.resolve(query));
  }

  /** Company figures: totals, answered at each step, per line (DID). */
  @Get('summary')
  async summary(@Query() query: StatsQueryDto): Promise<OverviewView> {
    return this.stats.overview(await this.stats.resolve(query));
  }

  /** The per-person table. */
  @Get('managers')
  async managers(@Query() query: StatsQueryDto): Promise<ManagerRow[]> {
    return this.stats.managers(await this.stats.resolve(query));
  }

  /** Missed-call follow-up: callback speed, SLA, never called back, distribution, overdue tasks. */
  @Get('callbacks')
  async callbacks(@Query() query: StatsQueryDto): Promise<CallbacksView> {
    return this.stats.callbacks(await this.stats.resolve(query));
  }

  /** Inbound calls by weekday × hour (company time zone). */
  @Get('heatmap')
  async heatmap(@Query() query: StatsQueryDto): Promise<HeatmapView> {
    return this.stats.heatmap(await this.stats.resolve(query));
  }

  /** The customer's app_queue queues: offered, answered, abandoned with the wait, service level. */
  @Get('queues')
  async queues(@Query() query: QueueStatsQueryDto): Promise<QueueStatsResponse> {
    return this.queueStats.queues(await this.stats.resolve(query), query.answeredWithin ?? DEFAULT_ANSWERED_WITHIN);
  }

  /** One row per day of the period. */
  @Get('daily')
  async daily(@Query() query: StatsQueryDto): Promise<DayRow[]> {
    return this.stats.daily(await this.stats.resolve(query));
  }

  /** Drill-down: the calls behind a number, with their legs. */
  @Get('calls')
  async calls(@Query() query: StatsCallsQueryDto): Promise<DrillPage> {
    return this.stats.calls(await this.stats.resolve(query), query);
  }

  /** Calls ringing / in progress right now. */
  @Get('live')
  @Header('Cache-Control', 'no-store')
  liveCounts(): LiveCounts {
    return this.live.counts();
  }

  /** CSV of the calls behind a number (same filters as /calls, up to 100,000 rows). */
  @Get('export/calls')
  @ApiProduces('text/csv')
  async exportCalls(@Query() query: StatsCallsExportQueryDto, @Res({ passthrough: true }) res: Response): Promise<string> {
    const params = await this.stats.resolve(query);
    const page = await this.stats.calls(params, query, true);
    const dialect = csvDialect(this.config.DEFAULT_REGION, this.config.TIMEZONE, query.sep);
    csvHeaders(res, `calls-${localDate(params.from, this.config.TIMEZONE)}-${page.metric}.csv`);
    return toCsv(
      csvHeader(CALLS_CSV_COLUMNS, query.lang),
      page.items.map((c) => [
        c.linkedid, c.startedAt, c.direction, c.caller, c.callerName, c.did, c.disposition, c.abandoned, c.voicemail, c.stepReached,
        c.answeredByExtension, c.answeredByName, c.placedBy, c.ringSeconds, c.talkSeconds, c.hungUpBy, c.transferredTo, c.recordingFile, c.voicemailMessage,
        c.legs.map((leg) => `${leg.extension}:${leg.step ?? '-'}:${leg.outcome}`).join(' '),
      ]),
      dialect,
    );
  }

  /** CSV of the per-person table. */
  @Get('export/managers')
  @ApiProduces('text/csv')
  async exportManagers(@Query() query: StatsExportQueryDto, @Res({ passthrough: true }) res: Response): Promise<string> {
    const params = await this.stats.resolve(query);
    const rows = await this.stats.managers(params);
    const dialect = csvDialect(this.config.DEFAULT_REGION, this.config.TIMEZONE, query.sep);
    csvHeaders(res, `managers-${localDate(params.from, this.config.TIMEZONE)}.csv`);
    return toCsv(
      csvHeader(MANAGERS_CSV_COLUMNS, query.lang),
      rows.map((r) => [
        r.name, r.role, r.department, r.extensions.join(' '), r.rang, r.answered, r.missed, r.missedCallerHungUp, r.answerRate,
        r.answerSpeedMedian, r.answerSpeedAvg, r.outbound, r.outboundAnswered, r.talkTotal, r.talkAvg,
        r.callbacks, r.callbackMedian, r.overdueCallbacks,
      ]),
      dialect,
    );
  }
}

function csvHeaders(res: Response, filename: string): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`);
}
