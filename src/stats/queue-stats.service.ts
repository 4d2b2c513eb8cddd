import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PBX_FIGURES_SQL, QUEUE_STATS_SQL, shapePbxFigures, shapeQueueStats, type PbxFigures, type QueueStatsView } from './queue-stats';
import { runStatsQuery, type PeriodView } from './stats.service';
import type { StatsParams } from './stats.queries';

export interface QueueStatsResponse extends QueueStatsView {
  period: Pick<PeriodView, 'from' | 'to' | 'timezone' | 'did'>;
  /** IVR abandons and voicemail messages of the period's inbound calls. */
  pbx: PbxFigures;
}

/** Statistics of the customer's app_queue queues for a period (SQL in queue-stats.ts). Read-only. */
@Injectable()
export class QueueStatsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async queues(p: StatsParams, answeredWithinSeconds: number): Promise<QueueStatsResponse> {
    const [rows, pbx] = await Promise.all([
      runStatsQuery(this.dataSource, QUEUE_STATS_SQL, [p.from, p.to, p.did, answeredWithinSeconds]),
      runStatsQuery(this.dataSource, PBX_FIGURES_SQL, [p.from, p.to, p.did]),
    ]);
    return {
      period: { from: p.from.toISOString(), to: p.to.toISOString(), timezone: p.timezone, did: p.did },
      ...shapeQueueStats(rows, answeredWithinSeconds),
      pbx: shapePbxFigures(pbx),
    };
  }
}
