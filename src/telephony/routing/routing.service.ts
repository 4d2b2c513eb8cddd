import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AppConfig } from '../../config';
import { preparedQuery } from '../../database/prepared';
import { normalizePhone } from '../../common/phone-number';
import { bool, nullable, readRow, text } from '../../common/sql-rows';
import { peopleDirectory } from '../../people/people-directory';
import { PEOPLE_SQL, readPeople } from '../../people/people.service';
import { chooseRoute, type CallerFacts } from './choose-route';
import { encodePlan, type RoutePlan } from './route-plan';
import { PresenceService } from './presence.service';
import { RoutingChainsService } from './routing-chains.service';
import { MetricsService } from '../../metrics/metrics.service';

/**
 * One statement per route: the caller's owner (responsible = contact's, else company's; display
 * parts) and the whole directory of people (the people loader's own query, so extension → person
 * is the one rule), so DND and role changes apply to the next call. People ring in the order of
 * their first extension, then name.
 */
export const ROUTE_STATEMENT = {
  name: 'route_v2',
  text: `
SELECT o.e164 IS NOT NULL AS known, o.responsible_id, o.company, o.contact,
  (SELECT coalesce(json_agg(p ORDER BY p.extensions[1] NULLS LAST, p.name), '[]') FROM (${PEOPLE_SQL}) p) AS users
  FROM (SELECT 1) AS one
  LEFT JOIN (SELECT p.e164, coalesce(ct.responsible_id, co.responsible_id) AS responsible_id, co.name AS company, ct.name AS contact
               FROM phone_numbers p
               LEFT JOIN contacts ct ON ct.id = p.contact_id
               LEFT JOIN companies co ON co.id = coalesce(ct.company_id, p.company_id)
              WHERE p.e164 = $1) o ON true`,
};

/** The route row's caller columns (`users` is read by readPeople). */
const ROUTE_CALLER = {
  known: bool,
  responsible_id: nullable(text),
  company: nullable(text),
  contact: nullable(text),
};

export interface RouteRequest {
  caller: string;
  did: string;
  uniqueid: string | null;
  linkedid: string | null;
}

interface PendingDecision {
  request: RouteRequest;
  plan: RoutePlan;
  body: string;
  decidedAt: Date;
  durationUs: number;
}

const INSERT_DECISIONS = {
  name: 'route_decisions_insert_v1',
  text: `
INSERT INTO route_decisions (uniqueid, linkedid, caller, caller_raw, did, known, responsible_id, chain, rule, steps, empty_steps,
                             skipped, final_action, plan, decided_at, duration_us)
SELECT u.uniqueid, u.linkedid, u.caller, u.caller_raw, u.did, u.known, u.responsible_id, u.chain, u.rule, u.steps,
       ARRAY(SELECT jsonb_array_elements_text(u.empty_steps)), u.skipped, u.final_action, u.plan, u.decided_at, u.duration_us
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::uuid[], $8::text[], $9::text[],
            $10::jsonb[], $11::jsonb[], $12::jsonb[], $13::text[], $14::text[], $15::timestamptz[], $16::integer[])
  AS u(uniqueid, linkedid, caller, caller_raw, did, known, responsible_id, chain, rule, steps, empty_steps, skipped,
       final_action, plan, decided_at, duration_us)`,
};

/** A caller id worth parsing: digits and the usual separators only (anything else is a new caller). */
const CALLER_ID = /^\+?[0-9 ()\-.]{1,40}$/;

const FLUSH_EVERY_MS = 1000;
const FLUSH_AT = 500;
const MAX_BUFFERED = 20_000;

/**
 * The dialplan's route: token check, one prepared statement, the pure decision, the compact plan.
 * Decisions are recorded off the response path, in batches (one INSERT … unnest per batch).
 */
@Injectable()
export class RoutingService implements OnModuleDestroy {
  private readonly logger = new Logger(RoutingService.name);
  private readonly token: Buffer | null;
  private buffer: PendingDecision[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private warnedNoToken = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly presence: PresenceService,
    private readonly chains: RoutingChainsService,
    private readonly metrics: MetricsService,
  ) {
    this.token = config.ROUTING_TOKEN ? Buffer.from(config.ROUTING_TOKEN) : null;
  }

  /** Constant-time token check; with no ROUTING_TOKEN set every request is refused. */
  /** `sha1("<ROUTING_TOKEN>/<uniqueid>")` in hex, as the shipped dialplan computes it (func_sha1). */
  signatureMatches(given: string, uniqueid: string): boolean {
    if (!this.token) return this.tokenMatches('');
    if (uniqueid === '') return false;
    const expected = createHash('sha1').update(Buffer.concat([this.token, Buffer.from(`/${uniqueid}`)])).digest('hex');
    const candidate = Buffer.from(given.toLowerCase());
    return candidate.length === expected.length && timingSafeEqual(candidate, Buffer.from(expected));
  }

  tokenMatches(given: string): boolean {
    if (!this.token) {
      if (!this.warnedNoToken) this.logger.warn('ROUTING_TOKEN is unset: every route request is refused (the dialplan falls back)');
      this.warnedNoToken = true;
      return false;
    }
    const candidate = Buffer.from(given);
    return candidate.length === this.token.length && timingSafeEqual(candidate, this.token);
  }

  /** Decides and encodes the plan; `startedAt` is process.hrtime.bigint() when the request arrived. */
  async route(request: RouteRequest, startedAt: bigint): Promise<{ plan: RoutePlan; body: string }> {
    const plan = await this.decide(request.caller, request.did, new Date());
    const body = encodePlan(plan);
    const durationUs = Number((process.hrtime.bigint() - startedAt) / 1000n);
    this.metrics.routeDecided(plan.steps[0]?.name ?? null, plan.known, durationUs / 1e6);
    this.record({ request, plan, body, decidedAt: new Date(), durationUs });
    return { plan, body };
  }

  /**
   * The plan the dialplan would get for `caller` on `did` at `at`, with today's people, presence and
   * chains: the admin's "test this route" (nothing recorded, no metric).
   */
  preview(caller: string, did: string, at: Date): Promise<RoutePlan> {
    return this.decide(caller, did, at);
  }

  private async decide(callerRaw: string, did: string, now: Date): Promise<RoutePlan> {
    const e164 = CALLER_ID.test(callerRaw) ? normalizePhone(callerRaw, this.config.DEFAULT_REGION) : null;
    const rows = await preparedQuery(this.dataSource, ROUTE_STATEMENT, [e164]);
    const row = readRow('route', rows, ROUTE_CALLER);
    const owner = e164 !== null && row?.known ? row : null;
    const users: unknown = rows[0]?.users ?? [];
    const caller: CallerFacts = {
      e164,
      known: owner !== null,
      responsibleId: owner?.responsible_id ?? null,
      company: owner?.company ?? null,
      contact: owner?.contact ?? null,
    };
    return chooseRoute({
      caller,
      did,
      now,
      people: peopleDirectory(readPeople('route users', users)),
      presence: this.presence.state,
      config: this.chains.routing,
      timezone: this.config.TIMEZONE,
    });
  }

  /** Queues a decision for the batch writer (never blocks, never throws). */
  private record(decision: PendingDecision): void {
    if (this.buffer.length >= MAX_BUFFERED) {
      this.logger.warn(`route decision buffer full (${MAX_BUFFERED}); decision for ${decision.request.uniqueid ?? 'no uniqueid'} dropped`);
      return;
    }
    this.buffer.push(decision);
    if (this.buffer.length >= FLUSH_AT) void this.flush();
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
      this.flushTimer.unref();
    }
  }

  /** Writes whatever is buffered; resolves when it is stored (tests and shutdown wait on this). */
  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(() => (batch.length > 0 ? this.write(batch) : undefined));
    return this.flushing;
  }

  private async write(batch: PendingDecision[]): Promise<void> {
    const column = <T>(pick: (d: PendingDecision) => T): T[] => batch.map(pick);
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    let client: PoolClient | null = null;
    try {
      // one short transaction per batch, committed without waiting for the WAL flush: decisions are
      // an audit trail (a crash may lose the last second of them), and an fsync per batch showed
      // up in the route's p99 on a small machine
      client = await pool.connect();
      await client.query('BEGIN');
      await client.query('SET LOCAL synchronous_commit = off');
      await client.query({ name: INSERT_DECISIONS.name, text: INSERT_DECISIONS.text, values: [
        column((d) => d.request.uniqueid),
        column((d) => d.request.linkedid),
        column((d) => d.plan.caller),
        column((d) => d.request.caller.slice(0, 64)),
        column((d) => d.request.did.slice(0, 32)),
        column((d) => d.plan.known),
        column((d) => d.plan.responsibleId),
        column((d) => d.plan.chain),
        column((d) => d.plan.rule),
        column((d) => JSON.stringify(d.plan.steps)),
        column((d) => JSON.stringify(d.plan.emptySteps)),
        column((d) => JSON.stringify(d.plan.skipped)),
        column((d) => d.plan.final),
        column((d) => d.body),
        column((d) => d.decidedAt.toISOString()),
        column((d) => d.durationUs),
      ] });
      await client.query('COMMIT');
    } catch (error) {
      await client?.query('ROLLBACK').catch(() => undefined);
      const ids = batch.map((d) => d.request.uniqueid ?? '-').slice(0, 5).join(', ');
      this.logger.error(`${batch.length} route decision(s) not recorded (uniqueid ${ids}…): ${(error as Error).message}`);
    } finally {
      client?.release();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }
}
