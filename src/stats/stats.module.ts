import { Module } from '@nestjs/common';
import { TelephonyModule } from '../telephony/telephony.module';
import { DashboardPageController } from './dashboard-page.controller';
import { LiveCallsService } from './live-calls.service';
import { QueueStatsService } from './queue-stats.service';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

/** Call statistics (SQL in stats.queries.ts, queues in queue-stats.ts), their REST API and CSV exports, and the /dashboard page. */
@Module({
  imports: [TelephonyModule],
  controllers: [StatsController, DashboardPageController],
  providers: [StatsService, LiveCallsService, QueueStatsService],
  exports: [StatsService],
})
export class StatsModule {}
