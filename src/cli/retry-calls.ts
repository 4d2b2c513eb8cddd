import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { MetricsService } from '../metrics/metrics.service';
import { CallsRepository } from '../telephony/calls/calls.repository';
import { rebuildStoredCall } from '../telephony/calls/rebuild';
import { runCli, withDatabase } from './cli-database';

export interface RetrySummary {
  /** Calls that were parked in calls_dead_letter. */
  parked: number;
  /** Written now (and removed from calls_dead_letter). */
  written: string[];
  /** Still refused (left parked, with the new error). */
  refused: { linkedid: string; error: string }[];
}

/**
 * Writes the calls parked in calls_dead_letter, after the cause was fixed: each is rebuilt from
 * its raw events through the current tracker (so a tracker fix applies; the parked record when
 * the events give none) and written alone, merged with whatever is stored (call-merge.ts). A
 * call written is removed from the dead letter; one still refused stays with the new error.
 * Database trouble stops the run (nothing is removed that was not written).
 */
export async function retryParkedCalls(
  dataSource: DataSource,
  config: AppConfig,
  progress: (line: string) => void = () => undefined,
): Promise<RetrySummary> {
  const repository = new CallsRepository(dataSource, config, new MetricsService());
  const { directory } = await repository.loadDirectory();
  const parked = await repository.deadLetterCalls();
  const summary: RetrySummary = { parked: parked.length, written: [], refused: [] };
  for (const call of parked) {
    const { record } = rebuildStoredCall(call.linkedid, call.events, directory, call.record.closedBy);
    const [outcome] = await repository.saveEach([{ record: record ?? call.record, events: call.events }]);
    if (outcome.written) {
      await repository.forgetDeadLetter(call.linkedid);
      summary.written.push(call.linkedid);
      progress(`call ${call.linkedid} written`);
    } else {
      const error = outcome.error ?? 'refused';
      await repository.recordRetryFailure(call.linkedid, error);
      summary.refused.push({ linkedid: call.linkedid, error });
      progress(`call ${call.linkedid} still refused: ${error}`);
    }
  }
  return summary;
}

if (require.main === module) {
  runCli('retry-calls', () =>
    withDatabase('retry-calls', async (dataSource, config) => {
      const logger = new Logger('RetryCalls');
      const summary = await retryParkedCalls(dataSource, config, (line) => logger.log(line));
      logger.log(`${summary.parked} parked call(s): ${summary.written.length} written, ${summary.refused.length} still refused`);
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return summary.refused.length > 0 ? 1 : 0;
    }),
  );
}
