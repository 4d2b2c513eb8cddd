import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { date, nullable, readRow, readRows, RowShapeError, text, type Column } from '../common/sql-rows';
import { AppConfig } from '../config';
import { STEP_NAMES } from '../telephony/step-names';
import type { StatsCallsQueryDto, StatsQueryDto } from './dto/stats-query.dto';
import { MAX_EXPORT_ROWS } from './dto/stats-query.dto';
import {
  CALLBACK_BUCKETS,
  CALLBACKS_SQL,
  DAILY_SQL,
  DEPARTMENTS_SQL,
  drillDownSql,
  HEATMAP_SQL,
  MANAGERS_SQL,
  OUTBOUND_SQL,
  OVERDUE_SQL,
  OVERVIEW_SQL,
  RESOLVE_PERIOD_SQL,
  statsParams,
  STATS_WORK_MEM,
  USER_DRILL_METRICS,
  type StatsParams,
} from './stats.queries';

/** Longest period one request may ask for. */
const MAX_PERIOD_DAYS = 400;
const HAS_OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/;
const HAS_TIME = /T\d{2}:\d{2}/;

export type Seconds = number;

export interface PeriodView {
  from: string;
  to: string;
  timezone: string;
  did: string | null;
  departmentId: string | null;
  userId: string | null;
}

export interface InboundFigures {
  inbound: number;
  answered: number;
  missed: number;
  abandoned: number;
  unanswered: number;
  voicemail: number;
  answerRate: number | null;
  abandonedWaitMedian: Seconds | null;
  answerSpeedMedian: Seconds | null;
  answerSpeedAvg: Seconds | null;
  talkTotal: Seconds;
  fromNew: number;
  fromKnown: number;
  fromAnonymous: number;
  newNumbers: number;
  knownNumbers: number;
}

export interface SummaryView extends InboundFigures {
  outbound: number;
  outboundAnswered: number;
  outboundTalkTotal: Seconds;
  internal: number;
}

export interface LineView extends InboundFigures {
  line: string | null;
}

export interface StepView {
  step: string;
  inbound: number;
  answered: number;
  abandoned: number;
  unanswered: number;
}

export interface OverviewView {
  summary: SummaryView;
  steps: StepView[];
  lines: LineView[];
}

export interface ManagerRow {
  userId: string;
  name: string;
  role: string;
  extensions: string[];
  department: string | null;
  rang: number;
  answered: number;
  missed: number;
  missedCallerHungUp: number;
  answerRate: number | null;
  answerSpeedMedian: Seconds | null;
  answerSpeedAvg: Seconds | null;
  outbound: number;
  outboundAnswered: number;
  talkTotal: Seconds;
  talkAvg: Seconds | null;
  callbacks: number;
  callbackMedian: Seconds | null;
  overdueCallbacks: number;
}

export interface CallbackBucket {
  key: string;
  label: string;
  count: number;
}

export interface OverdueRow {
  userId: string | null;
  name: string | null;
  overdue: number;
  oldestDueAt: Date;
}

export interface CallbacksView {
  slaSeconds: Seconds;
  tasks: number;
  calledBack: number;
  withinSla: number;
  withinSlaShare: number | null;
  neverCalledBack: number;
  neverCalledBackShare: number | null;
  stillOpen: number;
  callbackMedian: Seconds | null;
  callbackAvg: Seconds | null;
  distribution: CallbackBucket[];
  overdue: OverdueRow[];
}

export interface HeatmapView {
  /** inbound[dow-1][hour], dow 1 = Monday. */
  inbound: number[][];
  answered: number[][];
  missed: number[][];
}

export interface DayRow {
  day: string;
  inbound: number;
  answered: number;
  missed: number;
  abandoned: number;
  unanswered: number;
  outbound: number;
}

export interface DashboardView extends OverviewView {
  period: PeriodView;
  managers: ManagerRow[];
  callbacks: CallbacksView;
  heatmap: HeatmapView;
  daily: DayRow[];
  departments: { id: string; name: string }[];
  /** Milliseconds the database took per query (wall time of the parallel batch in `total`). */
  timings: Record<string, number>;
}

export interface DrillLeg {
  seq: number;
  extension: string;
  name: string | null;
  step: string | null;
  outcome: string;
  rangFrom: string | null;
  rangTo: string | null;
}

export interface DrillCall {
  linkedid: string;
  direction: string;
  caller: string;
  callerName: string | null;
  did: string | null;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  ringSeconds: Seconds;
  talkSeconds: Seconds;
  disposition: string;
  abandoned: boolean;
  voicemail: boolean;
  stepReached: string | null;
  stepIndex: number;
  answeredByExtension: string | null;
  answeredByName: string | null;
  placedBy: string | null;
  hungUpBy: string | null;
  transferredTo: string | null;
  recordingFile: string | null;
  /** The voicemail message the caller left (the file on the PBX), or null. */
  voicemailMessage: string | null;
  /** The other party in the CRM now (company, contact), or null for a number nobody has. */
  client: { company: string | null; contact: string | null } | null;
  legs: DrillLeg[];
}

export interface DrillPage {
  period: PeriodView;
  metric: string;
  total: number;
  limit: number;
  offset: number;
  items: DrillCall[];
}

/**
 * A row of a statistics query: its columns are read one by one below — aggregates with num/str
 * (NULL of an empty group is 0 or null), timestamps and lists with the sql-rows readers.
 */
type Row = Record<string, unknown>;

/** One statistics statement in its own transaction with STATS_WORK_MEM (sorts stay in memory). */
export async function runStatsQuery(dataSource: DataSource, sql: string, values: unknown[]): Promise<Row[]> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SET LOCAL work_mem = '${STATS_WORK_MEM}'`);
    return rowList('statistics query', await manager.query(sql, values));
  });
}

/** A list of row objects (what query() returned, or a jsonb array of objects). */
function rowList(what: string, value: unknown): Row[] {
  if (!Array.isArray(value)) throw new RowShapeError(what, 0, '*', 'expected a list of rows');
  return value.map((row: unknown, index) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new RowShapeError(what, index, '*', 'not an object');
    return row as Row;
  });
}

/** One column of a row, read with a sql-rows reader; a value of another shape names the column. */
function field<T>(what: string, row: Row, name: string, read: Column<T>): T {
  try {
    return read(row[name]);
  } catch (problem) {
    throw new RowShapeError(what, 0, name, problem instanceof Error ? problem.message : String(problem));
  }
}

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const ratio = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);
const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * Call statistics for a period: resolves the period in the company time zone, runs the SQL of
 * stats.queries.ts, shapes rows into views. Read-only.
 */
@Injectable()
export class StatsService {
  private readonly logger = new Logger(StatsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** The query parameters of a request: period bounds as instants, filters, SLA, now. */
  async resolve(query: StatsQueryDto, asOf = new Date()): Promise<StatsParams> {
    if ((query.from === undefined) !== (query.to === undefined)) {
      throw new DomainError('invalid', 'give both from and to, or neither', {
        fields: [{ field: query.from === undefined ? 'from' : 'to', errors: ['from and to go together'] }],
      });
    }
    const timezone = this.config.TIMEZONE;
    const bound = (value: string | undefined): [string | null, boolean] =>
      value === undefined ? [null, false] : [value, HAS_TIME.test(value) && HAS_OFFSET.test(value)];
    const [from, fromInstant] = bound(query.from);
    const [to, toInstant] = bound(query.to);
    let result: unknown;
    try {
      result = await this.dataSource.query(RESOLVE_PERIOD_SQL, [from, fromInstant, to, toInstant, timezone]);
    } catch (error) {
      // Well-formed but impossible dates (2026-02-30) are refused by PostgreSQL.
      throw new DomainError('invalid', `invalid period: ${error instanceof Error ? error.message : String(error)}`, {
        fields: [{ field: 'from', errors: ['not a date'] }],
      });
    }
    const period = readRow('period', result, { t_from: date, t_to: date });
    if (!period || !(period.t_from < period.t_to)) {
      throw new DomainError('invalid', 'from must be before to', { fields: [{ field: 'to', errors: ['to must be after from'] }] });
    }
    if (period.t_to.getTime() - period.t_from.getTime() > MAX_PERIOD_DAYS * 86_400_000) {
      throw new DomainError('invalid', `the period may span at most ${MAX_PERIOD_DAYS} days`, { fields: [{ field: 'to', errors: ['period too long'] }] });
    }
    return {
      from: period.t_from,
      to: period.t_to,
      timezone,
      did: query.did ?? null,
      departmentId: query.departmentId ?? null,
      userId: query.userId ?? null,
      slaSeconds: this.config.CALLBACK_SLA_MINUTES * 60,
      asOf,
    };
  }

  periodView(p: StatsParams): PeriodView {
    return {
      from: p.from.toISOString(),
      to: p.to.toISOString(),
      timezone: p.timezone,
      did: p.did,
      departmentId: p.departmentId,
      userId: p.userId,
    };
  }

  async overview(p: StatsParams): Promise<OverviewView> {
    const [rows, outbound] = await Promise.all([this.run(OVERVIEW_SQL, p), this.run(OUTBOUND_SQL, p)]);
    return shapeOverview(rows, outbound[0] ?? {});
  }

  async managers(p: StatsParams): Promise<ManagerRow[]> {
    return (await this.run(MANAGERS_SQL, p)).map(shapeManager);
  }

  async callbacks(p: StatsParams): Promise<CallbacksView> {
    const [summary, overdue] = await Promise.all([this.run(CALLBACKS_SQL, p), this.run(OVERDUE_SQL, p)]);
    return shapeCallbacks(summary[0] ?? {}, overdue, p.slaSeconds);
  }

  async heatmap(p: StatsParams): Promise<HeatmapView> {
    return shapeHeatmap(await this.run(HEATMAP_SQL, p));
  }

  async daily(p: StatsParams): Promise<DayRow[]> {
    return (await this.run(DAILY_SQL, p)).map((row) => ({
      day: String(row.day),
      inbound: num(row.inbound),
      answered: num(row.answered),
      missed: num(row.missed),
      abandoned: num(row.abandoned),
      unanswered: num(row.unanswered),
      outbound: num(row.outbound),
    }));
  }

  /** Everything the dashboard page shows, the queries run in parallel on the pool. */
  async dashboard(p: StatsParams): Promise<DashboardView> {
    const timings: Record<string, number> = {};
    const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await work();
      timings[name] = Math.round((performance.now() - started) * 10) / 10;
      return result;
    };
    const started = performance.now();
    const [overview, managers, callbacks, heatmap, daily, departments] = await Promise.all([
      timed('overview', () => this.overview(p)),
      timed('managers', () => this.managers(p)),
      timed('callbacks', () => this.callbacks(p)),
      timed('heatmap', () => this.heatmap(p)),
      timed('daily', () => this.daily(p)),
      timed('departments', async () => readRows('departments', await this.dataSource.query(DEPARTMENTS_SQL), { id: text, name: text })),
    ]);
    timings.total = Math.round((performance.now() - started) * 10) / 10;
    if (timings.total > 1000) this.logger.warn(`dashboard ${p.from.toISOString()}..${p.to.toISOString()} took ${timings.total} ms`);
    return { period: this.periodView(p), ...overview, managers, callbacks, heatmap, daily, departments, timings };
  }

  /** The calls behind one number of the dashboard, with their legs. */
  async calls(p: StatsParams, query: StatsCallsQueryDto, exportAll = false): Promise<DrillPage> {
    const metric = query.metric ?? 'all';
    if (USER_DRILL_METRICS.includes(metric) && !p.userId) {
      throw new DomainError('invalid', `metric ${metric} needs userId`, { fields: [{ field: 'userId', errors: [`userId is required for ${metric}`] }] });
    }
    const limit = exportAll ? MAX_EXPORT_ROWS : (query.limit ?? 100);
    const offset = exportAll ? 0 : (query.offset ?? 0);
    const rows = await runStatsQuery(this.dataSource, drillDownSql(metric), [
      ...statsParams(p),
      query.step ?? null,
      query.day ?? null,
      query.dow ?? null,
      query.hour ?? null,
      limit,
      offset,
    ]);
    let total = rows.length > 0 ? num(rows[0].total) : 0;
    if (rows.length === 0 && offset > 0) {
      // Past the end: count without paging so the client still learns the total.
      const all = await runStatsQuery(this.dataSource, drillDownSql(metric), [...statsParams(p), query.step ?? null, query.day ?? null, query.dow ?? null, query.hour ?? null, 1, 0]);
      total = all.length > 0 ? num(all[0].total) : 0;
    }
    return { period: this.periodView(p), metric, total, limit, offset, items: rows.map(shapeCall) };
  }

  private async run(sql: string, p: StatsParams): Promise<Row[]> {
    return runStatsQuery(this.dataSource, sql, statsParams(p));
  }
}

function inboundFigures(row: Row): InboundFigures {
  const inbound = num(row.inbound);
  const answered = num(row.answered);
  return {
    inbound,
    answered,
    missed: num(row.missed),
    abandoned: num(row.abandoned),
    unanswered: num(row.unanswered),
    voicemail: num(row.voicemail),
    answerRate: ratio(answered, inbound),
    abandonedWaitMedian: numOrNull(row.abandoned_wait_median),
    answerSpeedMedian: numOrNull(row.answer_speed_median),
    answerSpeedAvg: numOrNull(row.answer_speed_avg),
    talkTotal: num(row.talk_total),
    fromNew: num(row.from_new),
    fromKnown: num(row.from_known),
    fromAnonymous: num(row.from_anonymous),
    newNumbers: num(row.new_numbers),
    knownNumbers: num(row.known_numbers),
  };
}

const STEP_ORDER: readonly string[] = STEP_NAMES;

function shapeOverview(rows: Row[], outbound: Row): OverviewView {
  const total = rows.find((row) => !row.by_line && !row.by_step);
  const summary: SummaryView = {
    ...inboundFigures(total ?? {}),
    outbound: num(outbound.outbound),
    outboundAnswered: num(outbound.outbound_answered),
    outboundTalkTotal: num(outbound.outbound_talk_total),
    internal: num(outbound.internal),
  };
  const lines = rows.filter((row) => row.by_line).map((row) => ({ line: str(row.line), ...inboundFigures(row) }));
  const byStep = new Map(rows.filter((row) => row.by_step).map((row) => [str(row.step) ?? 'none', row]));
  const names = [...STEP_ORDER, ...[...byStep.keys()].filter((name) => !STEP_ORDER.includes(name)).sort()];
  const steps = names.map((step) => {
    const row = byStep.get(step) ?? {};
    return { step, inbound: num(row.inbound), answered: num(row.answered), abandoned: num(row.abandoned), unanswered: num(row.unanswered) };
  });
  return { summary, steps, lines };
}

function shapeManager(row: Row): ManagerRow {
  const answered = num(row.answered);
  const missed = num(row.missed);
  const outboundAnswered = num(row.outbound_answered);
  const talkTotal = round3(num(row.inbound_talk) + num(row.outbound_talk));
  const conversations = answered + outboundAnswered;
  return {
    userId: String(row.user_id),
    name: String(row.name),
    role: String(row.role),
    extensions: Array.isArray(row.extensions) ? row.extensions.map(String) : [],
    department: str(row.department),
    rang: num(row.rang),
    answered,
    missed,
    missedCallerHungUp: num(row.missed_caller_hung_up),
    answerRate: ratio(answered, answered + missed),
    answerSpeedMedian: numOrNull(row.pickup_median),
    answerSpeedAvg: numOrNull(row.pickup_avg),
    outbound: num(row.outbound),
    outboundAnswered,
    talkTotal,
    talkAvg: conversations > 0 ? round3(talkTotal / conversations) : null,
    callbacks: num(row.callbacks),
    callbackMedian: numOrNull(row.callback_median),
    overdueCallbacks: num(row.overdue),
  };
}

function shapeCallbacks(row: Row, overdue: Row[], slaSeconds: number): CallbacksView {
  const tasks = num(row.tasks);
  const withinSla = num(row.within_sla);
  const never = num(row.never_called_back);
  return {
    slaSeconds,
    tasks,
    calledBack: num(row.called_back),
    withinSla,
    withinSlaShare: ratio(withinSla, tasks),
    neverCalledBack: never,
    neverCalledBackShare: ratio(never, tasks),
    stillOpen: num(row.still_open),
    callbackMedian: numOrNull(row.callback_median),
    callbackAvg: numOrNull(row.callback_avg),
    distribution: [
      ...CALLBACK_BUCKETS.map((bucket) => ({ key: bucket.key, label: bucket.label, count: num(row[bucket.key]) })),
      { key: 'never', label: 'never', count: never },
    ],
    overdue: overdue.map((o) => ({ userId: str(o.user_id), name: str(o.name), overdue: num(o.overdue), oldestDueAt: field('overdue callbacks', o, 'oldest_due_at', date) })),
  };
}

function shapeHeatmap(rows: Row[]): HeatmapView {
  const grid = (): number[][] => Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const view: HeatmapView = { inbound: grid(), answered: grid(), missed: grid() };
  for (const row of rows) {
    const d = num(row.dow) - 1;
    const h = num(row.hour);
    view.inbound[d][h] = num(row.inbound);
    view.answered[d][h] = num(row.answered);
    view.missed[d][h] = num(row.missed);
  }
  return view;
}

function shapeCall(row: Row): DrillCall {
  const legs = row.legs === null || row.legs === undefined ? [] : rowList(`legs of call ${String(row.linkedid)}`, row.legs);
  return {
    linkedid: String(row.linkedid),
    direction: String(row.direction),
    caller: String(row.caller),
    callerName: str(row.caller_name),
    did: str(row.did),
    startedAt: field('drill-down calls', row, 'started_at', date),
    answeredAt: field('drill-down calls', row, 'answered_at', nullable(date)),
    endedAt: field('drill-down calls', row, 'ended_at', nullable(date)),
    ringSeconds: num(row.ring_seconds),
    talkSeconds: num(row.talk_seconds),
    disposition: String(row.disposition),
    abandoned: row.abandoned === true,
    voicemail: row.voicemail === true,
    stepReached: str(row.step_reached),
    stepIndex: num(row.step_index),
    answeredByExtension: str(row.answered_by_extension),
    answeredByName: str(row.answered_by_name),
    placedBy: str(row.placed_by),
    hungUpBy: str(row.hung_up_by),
    transferredTo: str(row.transferred_to),
    recordingFile: str(row.recording_file),
    voicemailMessage: str(row.voicemail_message),
    client: str(row.client_contact) === null && str(row.client_company) === null ? null : { company: str(row.client_company), contact: str(row.client_contact) },
    legs: legs.map((leg) => ({
      seq: num(leg.seq),
      extension: String(leg.extension),
      name: str(leg.name),
      step: str(leg.step),
      outcome: String(leg.outcome),
      rangFrom: str(leg.rangFrom),
      rangTo: str(leg.rangTo),
    })),
  };
}
