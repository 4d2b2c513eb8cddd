import { Injectable, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics, on a registry of its own (two app instances in one process —
 * the tests — must not share prom-client's global one). Counters are incremented by the code that
 * sees the thing happen; gauges are read when scraped from the source that owns the value
 * (`gauge(name, help, read)`), so nothing is sampled on a timer.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();

  readonly amiEvents = new Counter({ name: 'ami_events_total', help: 'AMI events received by this instance (rate() gives events/s)', registers: [this.registry] });
  readonly amiReconnects = new Counter({ name: 'ami_reconnects_total', help: 'AMI logins after the first one (reconnects and leadership takeovers)', registers: [this.registry] });
  readonly amiDisconnects = new Counter({ name: 'ami_disconnects_total', help: 'AMI links lost while logged in', registers: [this.registry] });
  readonly amiResyncs = new Counter({
    name: 'ami_resyncs_total',
    help: 'CoreShowChannels resyncs after a (re)connect, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly callsFinalized = new Counter({ name: 'calls_finalized_total', help: 'Calls finalized by the tracker (queued for storage)', registers: [this.registry] });
  readonly callsDropped = new Counter({ name: 'calls_dropped_total', help: 'Finished calls lost: the in-memory buffer was full and the disk refused them too', registers: [this.registry] });
  readonly callsDeadLettered = new Counter({
    name: 'calls_dead_lettered_total',
    help: 'Calls the database kept refusing, parked in calls_dead_letter (npm run retry-calls after a fix)',
    registers: [this.registry],
  });
  readonly dbErrors = new Counter({
    name: 'db_errors_total',
    help: 'Database operations that failed, by operation',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  readonly routeDecisions = new Counter({
    name: 'route_decisions_total',
    help: 'Route plans served to the dialplan, by first step (or none) and caller kind',
    labelNames: ['first_step', 'caller'] as const,
    registers: [this.registry],
  });
  readonly routeLatency = new Histogram({
    name: 'route_decision_seconds',
    help: 'Time to answer GET /api/asterisk/route, from the request to the plan',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [this.registry],
  });
  readonly popupsSent = new Counter({
    name: 'popups_sent_total',
    help: 'Caller cards (call.ringing) sent to desks by this instance',
    registers: [this.registry],
  });
  readonly escapedErrors = new Counter({
    name: 'process_escaped_errors_total',
    help: 'Rejections nobody handled and exceptions nobody caught, logged by the process guard (the service kept running); each is a bug',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly leadershipChanges = new Counter({
    name: 'ami_leadership_changes_total',
    help: 'Times this instance became (became="leader") or stopped being (became="follower") the AMI consumer',
    labelNames: ['became'] as const,
    registers: [this.registry],
  });

  /** Process metrics (CPU, memory, event loop lag, handles) — in the service, not in CLI tools that count in passing. */
  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry });
    // Shown as 0 from the start, so an alert on any increase works from the first scrape.
    for (const kind of ['unhandled_rejection', 'uncaught_exception'] as const) this.escapedErrors.inc({ kind }, 0);
  }

  /** A gauge whose value is read from `read` at scrape time. */
  gauge(name: string, help: string, read: () => number): void {
    this.registry.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Records one route decision (called by the routing service off its hot path's critical part). */
  routeDecided(firstStep: string | null, known: boolean, seconds: number): void {
    this.routeDecisions.inc({ first_step: firstStep ?? 'none', caller: known ? 'known' : 'new' });
    this.routeLatency.observe(seconds);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
