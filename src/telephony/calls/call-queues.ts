import type { CallRecord } from './call-record';

/**
 * `call_queues`: one row per stay of the caller in an app_queue queue (CallRecord.queues), what
 * the per-queue statistics count (src/stats/queue-stats.ts). The call writer (calls.repository.ts)
 * replaces a call's rows in the same transaction as its legs: idempotent, like the legs.
 */
export const DELETE_CALL_QUEUES_SQL = `DELETE FROM call_queues WHERE linkedid = ANY($1::text[])`;

export const INSERT_CALL_QUEUES_SQL = `
INSERT INTO call_queues (linkedid, seq, queue, joined_at, left_at, outcome, wait_seconds, answered_by_extension)
SELECT r.linkedid, r.seq, r.queue, to_timestamp(r.joined_at), to_timestamp(r.left_at), r.outcome, r.wait_seconds, r.answered_by_extension
FROM jsonb_to_recordset($1::jsonb) AS r(linkedid text, seq int, queue text, joined_at float8, left_at float8, outcome text, wait_seconds real, answered_by_extension text)`;

/** The rows of one call for INSERT_CALL_QUEUES_SQL, numbered in the order the caller joined. */
export function callQueueRows(record: CallRecord): Record<string, unknown>[] {
  return record.queues.map((visit, seq) => ({
    linkedid: record.linkedid,
    seq,
    queue: visit.name,
    joined_at: visit.joinedAt,
    left_at: visit.leftAt,
    outcome: visit.outcome,
    wait_seconds: visit.waitSeconds,
    answered_by_extension: visit.answeredBy,
  }));
}
