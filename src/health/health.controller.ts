import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';
import { MetricsService } from '../metrics/metrics.service';
import { LinkStatus } from './link-status';

const STARTED_AT = Date.now();

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: LinkStatus,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Readiness: 200 when the database answers, 503 otherwise. The AMI link is reported (leader or
   * follower, state, the gap in progress and the last one) but a PBX outage does not make the
   * service unready: REST, routing and desks still work. Call storage is reported too: calls the
   * database refuses (retried alone, or parked in calls_dead_letter) and writes failing although
   * the database answers (a missing table, a read-only server) make the status `degraded`, still
   * 200 — REST works and the calls wait (buffered, spooled).
   */
  @Public()
  @Get()
  async health(@Res({ passthrough: true }) response: Response): Promise<Record<string, unknown>> {
    const database = await this.dataSource
      .query('SELECT 1')
      .then(() => 'up' as const)
      .catch(() => 'down' as const);
    if (database === 'down') {
      this.metrics.dbErrors.inc({ operation: 'health' });
      response.status(503);
    }
    const calls = await this.links.calls();
    const callsTrouble = calls !== null && (calls.deadLetter.count > 0 || calls.retryingAlone.length > 0 || calls.writesFailing !== null);
    return {
      status: database === 'up' && !callsTrouble ? 'ok' : 'degraded',
      database,
      ami: this.links.ami(),
      ...(calls ? { calls } : {}),
    };
  }

  /** Liveness: the process answers HTTP (restart it when this fails, not when /health does). */
  @Public()
  @Get('live')
  live(): { status: 'ok'; uptimeSeconds: number } {
    return { status: 'ok', uptimeSeconds: Math.round((Date.now() - STARTED_AT) / 1000) };
  }
}
