/**
 * Per-queue statistics of the customer's app_queue queues (call_queues: one row per stay of a
 * caller in a queue, written by the call writer from CallRecord.queues). What every call centre
 * reports; the definitions are in README ("Call statistics", queues).
 *
 * A stay belongs to the period in which the caller joined the queue. A call that passed two
 * queues (or one twice) is offered to each stay's queue once per stay.
 *   $1 from (timestamptz, inclusive)   $2 to (timestamptz, exclusive)   $3 line/DID or null
 *   $4 "answered within" threshold in seconds (the service level's N)
 */
import { int, nullable, num, readRows, text, type RowOf } from '../common/sql-rows';

export const QUEUE_STATS_SQL = `
SELECT GROUPING(q.queue) = 1 AS total, q.queue,
       count(*)::int AS offered,
       count(*) FILTER (WHERE q.outcome = 'answered')::int AS answered,
       count(*) FILTER (WHERE q.outcome = 'abandoned')::int AS abandoned,
       count(*) FILTER (WHERE q.outcome = 'left')::int AS left_queue,
       count(*) FILTER (WHERE q.outcome = 'answered' AND q.wait_seconds <= $4::int)::int AS answered_within,
       round(avg(q.wait_seconds::numeric) FILTER (WHERE q.outcome = 'answered'), 3) AS answer_wait_avg,
       round(avg(q.wait_seconds::numeric) FILTER (WHERE q.outcome = 'abandoned'), 3) AS abandoned_wait_avg,
       max(q.wait_seconds::numeric) FILTER (WHERE q.outcome = 'abandoned') AS abandoned_wait_max
  FROM call_queues q
  JOIN calls c ON c.linkedid = q.linkedid
 WHERE q.joined_at >= $1::timestamptz AND q.joined_at < $2::timestamptz
   AND ($3::text IS NULL OR c.did = $3::text)
 GROUP BY GROUPING SETS ((q.queue), ())
 ORDER BY GROUPING(q.queue), q.queue`;

/**
 * What the customer's own dialplan did with inbound calls of the period (same $1–$3):
 * callers who hung up before any phone rang or any queue took them (in an IVR menu, an
 * announcement), and voicemail messages left (VM_MESSAGEFILE).
 */
export const PBX_FIGURES_SQL = `
SELECT count(*) FILTER (WHERE c.disposition = 'missed' AND c.abandoned
                          AND NOT EXISTS (SELECT 1 FROM call_legs l WHERE l.linkedid = c.linkedid)
                          AND NOT EXISTS (SELECT 1 FROM call_queues q WHERE q.linkedid = c.linkedid))::int AS abandoned_before_ringing,
       count(*) FILTER (WHERE c.voicemail_message IS NOT NULL)::int AS voicemail_messages
  FROM calls c
 WHERE c.direction = 'inbound' AND c.started_at >= $1::timestamptz AND c.started_at < $2::timestamptz
   AND ($3::text IS NULL OR c.did = $3::text)`;

export interface PbxFigures {
  /** Missed calls whose caller hung up before any phone rang or any queue took them (an IVR menu, an announcement). */
  abandonedBeforeRinging: number;
  /** Calls in which the caller left a voicemail message. */
  voicemailMessages: number;
}

export function shapePbxFigures(result: unknown): PbxFigures {
  const [row] = readRows('PBX figures', result, { abandoned_before_ringing: int, voicemail_messages: int });
  return { abandonedBeforeRinging: row?.abandoned_before_ringing ?? 0, voicemailMessages: row?.voicemail_messages ?? 0 };
}

const QUEUE_ROW = {
  total: (value: unknown): boolean => value === true,
  queue: nullable(text),
  offered: int,
  answered: int,
  abandoned: int,
  left_queue: int,
  answered_within: int,
  answer_wait_avg: nullable(num),
  abandoned_wait_avg: nullable(num),
  abandoned_wait_max: nullable(num),
};

export interface QueueFigures {
  /** Stays of callers in the queue (each QueueCallerJoin). */
  offered: number;
  /** A member answered while the caller waited. */
  answered: number;
  /** The caller hung up while waiting. */
  abandoned: number;
  /** The caller left unanswered otherwise: the queue's timeout, no member available, a key to voicemail. */
  left: number;
  /** Answered with a wait of at most `answeredWithinSeconds`. */
  answeredWithin: number;
  /** answeredWithin / offered (0–1, 4 decimals), null with nothing offered: the service level. */
  serviceLevel: number | null;
  /** Average wait of the answered stays until a member answered, seconds. */
  answerWaitAvg: number | null;
  /** Average and longest wait of the callers who gave up, seconds. */
  abandonedWaitAvg: number | null;
  abandonedWaitMax: number | null;
}

export interface QueueRow extends QueueFigures {
  queue: string;
}

export interface QueueStatsView {
  answeredWithinSeconds: number;
  queues: QueueRow[];
  /** Every queue together. */
  total: QueueFigures;
}

/** The view from the rows of QUEUE_STATS_SQL (one per queue, then the total). */
export function shapeQueueStats(result: unknown, answeredWithinSeconds: number): QueueStatsView {
  const rows = readRows('queue statistics', result, QUEUE_ROW);
  const totalRow = rows.find((row) => row.total);
  return {
    answeredWithinSeconds,
    queues: rows.filter((row) => !row.total).map((row) => ({ queue: row.queue ?? '', ...figures(row) })),
    total: totalRow ? figures(totalRow) : figures(null),
  };
}

function figures(row: RowOf<typeof QUEUE_ROW> | null): QueueFigures {
  const offered = row?.offered ?? 0;
  const answeredWithin = row?.answered_within ?? 0;
  return {
    offered,
    answered: row?.answered ?? 0,
    abandoned: row?.abandoned ?? 0,
    left: row?.left_queue ?? 0,
    answeredWithin,
    serviceLevel: offered > 0 ? Math.round((answeredWithin / offered) * 10_000) / 10_000 : null,
    answerWaitAvg: row?.answer_wait_avg ?? null,
    abandonedWaitAvg: row?.abandoned_wait_avg ?? null,
    abandonedWaitMax: row?.abandoned_wait_max ?? null,
  };
}
