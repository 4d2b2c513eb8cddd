/**
 * `call_people`: one row per inbound call and person whose phone it rang (any of their legs),
 * with that person's figures for the call — what the per-person statistics count (MANAGERS_SQL in
 * src/stats/stats.queries.ts reads the rows, never re-derives them). Derived only from the call's
 * own rows (calls + call_legs as the writer stored them), so the call writer (calls.repository.ts)
 * rebuilds it in the same transaction as the legs: idempotent, like the legs. It lives with the
 * call because it is part of the call's outcome: telephony never imports stats.
 *
 * - rang: one of their legs rang (not busy/unavailable);
 * - missed: one of their legs is one they missed (call_legs.missed: the tracker's rule, legMissed
 *   in call-record.ts — rang without getting the call, unless a colleague answered while it rang
 *   alongside, or it rang after the answer: a transfer);
 * - missed_caller_hung_up: such a miss ended by the caller hanging up;
 * - pickup_seconds: how long their phone rang before they answered, when they answered the call.
 */
export const NEVER_RANG_OUTCOMES = `('busy', 'unavailable')`;

const MISSED_LEG = `l.missed`;

/** Rows of call_people for the calls matching `callFilter` (an SQL condition on `c`, the calls). */
export function insertCallPeopleSql(callFilter: string): string {
  return `
INSERT INTO call_people (linkedid, user_id, started_at, did, rang, missed, missed_caller_hung_up, pickup_seconds)
SELECT c.linkedid, l.user_id, c.started_at, c.did,
       bool_or(l.outcome NOT IN ${NEVER_RANG_OUTCOMES}),
       bool_or(${MISSED_LEG}),
       bool_or(${MISSED_LEG} AND l.outcome = 'cancelled_caller_hung_up'),
       min(CASE WHEN l.outcome = 'answered' AND l.user_id = c.answered_by_user_id THEN round(extract(epoch FROM l.rang_to - l.rang_from), 3) END)
  FROM calls c JOIN call_legs l ON l.linkedid = c.linkedid
 WHERE c.direction = 'inbound' AND l.user_id IS NOT NULL AND (${callFilter})
 GROUP BY c.linkedid, l.user_id`;
}

/** Rebuilds call_people for the calls $1 (text[]) after their legs were written. */
export const DELETE_CALL_PEOPLE_SQL = `DELETE FROM call_people WHERE linkedid = ANY($1::text[])`;
export const INSERT_CALL_PEOPLE_SQL = insertCallPeopleSql(`c.linkedid = ANY($1::text[])`);
