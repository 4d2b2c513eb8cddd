import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { json, nullable, readRows, text } from '../common/sql-rows';
import type { AppConfig } from '../config';
import { MetricsService } from '../metrics/metrics.service';
import { CallsRepository, type FinalizedCall } from '../telephony/calls/calls.repository';
import { rebuildStoredCall } from '../telephony/calls/rebuild';
import { fromStoredEvents } from '../telephony/calls/call-storage-text';
import { runCli, withDatabase } from './cli-database';

const BATCH = 100;

export interface RebuildSummary {
  calls: number;
  rewritten: number;
  /** Stored calls whose events gave no record of the same linkedid (left as they were). */
  skipped: string[];
  /** Rebuilt records the database refused (left as they were), with the error. */
  refused?: { linkedid: string; error: string }[];
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
  const ids = readRows('stored calls', await dataSource.query('SELECT linkedid FROM call_raw_events ORDER BY linkedid'), { linkedid: text });
  const summary: RebuildSummary = { calls: ids.length, rewritten: 0, skipped: [] };
  for (let at = 0; at < ids.length; at += BATCH) {
    const slice = ids.slice(at, at + BATCH).map((row) => row.linkedid);
    const rows = readRows(
      'raw events of stored calls',
      await dataSource.query(
        `SELECT r.linkedid, r.events, c.closed_by FROM call_raw_events r LEFT JOIN calls c ON c.linkedid = r.linkedid
          WHERE r.linkedid = ANY($1::text[]) ORDER BY r.linkedid`,
        [slice],
      ),
      { linkedid: text, events: json, closed_by: nullable(text) },
    );
    const batch: FinalizedCall[] = [];
    for (const row of rows) {
      const { linkedid, closed_by: closedBy } = row;
      const events = fromStoredEvents(row.events);
      const { record, problems } = rebuildStoredCall(linkedid, events, directory, closedBy);
      for (const problem of problems) progress(`call ${linkedid}: ${problem.code} on ${problem.event ?? '?'}: ${problem.message}`);
      if (!record) {
        summary.skipped.push(linkedid);
        progress(`call ${linkedid}: its events gave no record of that linkedid; left as it was`);
        continue;
      }
      batch.push({ record, events });
    }
    for (const outcome of await repository.saveEach(batch)) {
      if (outcome.written) summary.rewritten++;
      else {
        (summary.refused ??= []).push({ linkedid: outcome.linkedid, error: outcome.error ?? 'refused' });
        progress(`call ${outcome.linkedid}: the rebuilt record was refused (${outcome.error}); left as it was`);
      }
    }
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
