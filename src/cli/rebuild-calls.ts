import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { MetricsService } from '../metrics/metrics.service';
import type { AmiMessage } from '../telephony/ami/ami-frame-parser';
import { CallsRepository, type FinalizedCall } from '../telephony/calls/calls.repository';
import { rebuildCalls } from '../telephony/calls/rebuild';
import { runCli, withDatabase } from './cli-database';

const BATCH = 100;

export interface RebuildSummary {
  calls: number;
  rewritten: number;
  /** Stored calls whose events gave no record of the same linkedid (left as they were). */
  skipped: string[];
}

/**
 * Rebuilds every stored call from its raw AMI events through the current tracker and rewrites
 * calls/call_legs (idempotently, a batch per transaction). The directory is the database's own.
 */
export async function rebuildStoredCalls(
  dataSource: DataSource,
  config: AppConfig,
  progress: (line: string) => void = () => undefined,
): Promise<RebuildSummary> {
  const repository = new CallsRepository(dataSource, config, new MetricsService());
  const { directory } = await repository.loadDirectory();
  const ids: { linkedid: string }[] = await dataSource.query('SELECT linkedid FROM call_raw_events ORDER BY linkedid');
  const summary: RebuildSummary = { calls: ids.length, rewritten: 0, skipped: [] };
  for (let at = 0; at < ids.length; at += BATCH) {
    const slice = ids.slice(at, at + BATCH).map((row) => row.linkedid);
    const stored: { linkedid: string; events: AmiMessage[]; closed_by: string | null }[] = await dataSource.query(
      `SELECT r.linkedid, r.events, c.closed_by FROM call_raw_events r LEFT JOIN calls c ON c.linkedid = r.linkedid
        WHERE r.linkedid = ANY($1::text[]) ORDER BY r.linkedid`,
      [slice],
    );
    const batch: FinalizedCall[] = [];
    for (const { linkedid, events, closed_by: closedBy } of stored) {
      const { records, problems } = rebuildCalls(events, directory);
      for (const problem of problems) progress(`call ${linkedid}: ${problem.code} on ${problem.event ?? '?'}: ${problem.message}`);
      const record = records.find((r) => r.linkedid === linkedid);
      if (!record) {
        summary.skipped.push(linkedid);
        progress(`call ${linkedid}: its events gave no record of that linkedid; left as it was`);
        continue;
      }
      // The raw events of one call do not hold the channel list that closed it after a lost link.
      if (record.closedBy === 'timeout' && closedBy === 'resync') record.closedBy = 'resync';
      batch.push({ record, events });
    }
    await repository.saveFinalizedCalls(batch);
    summary.rewritten += batch.length;
    progress(`${Math.min(at + BATCH, ids.length)}/${ids.length} calls rebuilt`);
  }
  return summary;
}

if (require.main === module) {
  runCli('rebuild-calls', () =>
    withDatabase('rebuild-calls', async (dataSource, config) => {
      const logger = new Logger('RebuildCalls');
      const summary = await rebuildStoredCalls(dataSource, config, (line) => logger.log(line));
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return 0;
    }),
  );
}
