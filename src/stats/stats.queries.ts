/**
 * Every statistic of the service, as plain SQL in one place (reviewed with EXPLAIN on 1M calls:
 * `npm run bench:stats`). The definitions are in README ("Call statistics").
 *
 * Every metric query takes the same eight parameters (STATS_PARAMS):
 *   $1 from (timestamptz, inclusive)   $2 to (timestamptz, exclusive)   $3 time zone (IANA name)
 *   $4 line/DID or null                $5 department id or null          $6 user id or null
 *   $7 callback SLA in seconds         $8 "now" for overdue tasks
 * A call belongs to the period, day, weekday and hour in which it started, in the time zone $3.
 * Seconds come from the stored values (ms precision) as numeric, so sums are exact; a median of an
 * even count is the mean of the two middle values.
 * The service runs each statement with work_mem raised (STATS_WORK_MEM) so a month sorts in memory.
 */

// Legs that never rang (who missed a call is call_legs.missed: README "missed by a person").
import { NEVER_RANG_OUTCOMES } from '../telephony/calls/call-people';

/** Parameter order of every metric query. */
export interface StatsParams {
  from: Date;
  to: Date;
  timezone: string;
  did: string | null;
  departmentId: string | null;
  userId: string | null;
  slaSeconds: number;
  asOf: Date;
}

export function statsParams(p: StatsParams): unknown[] {
  return [p.from, p.to, p.timezone, p.did, p.departmentId, p.userId, p.slaSeconds, p.asOf];
}

/**
 * Exact median of a numeric expression (optionally over the rows matching `filter`): the values
 * have at most 3 decimals (ms), so the mean of the two middle ones has at most 4 and rounding
 * percentile_cont's float8 result to 4 decimals gives it exactly, with one sort.
 */
function median(expr: string, filter?: string): string {
  const f = filter ? ` FILTER (WHERE ${filter})` : '';
  return `round((percentile_cont(0.5) WITHIN GROUP (ORDER BY (${expr})::float8)${f})::numeric, 4)`;
}

function average(expr: string, filter?: string): string {
  const f = filter ? ` FILTER (WHERE ${filter})` : '';
  return `round(avg(${expr})${f}, 3)`;
}


/**
 * Legs are read by the time they started ringing: a leg starts after its call, and within a day
 * of it (calls are closed after CALL_MAX_IDLE_SECONDS of silence), so this window holds every leg
 * of the period's calls and lets the planner hash-join two index range scans.
 */
const LEG_WINDOW = `l.rang_from >= $1::timestamptz - interval '1 hour' AND l.rang_from < $2::timestamptz + interval '1 day'`;

/**
 * The shared head of every metric query:
 * - `_p` only pins the parameter types (every query names all eight);
 * - who placed an outbound call: `calls.placed_by_user_id`, resolved by the call writer (extension_owners);
 * - `members`: the people of the department/user filter (empty when there is none);
 * - `legs_w`: legs that may belong to the period's calls;
 * - `scoped`: the period's calls on the line, involving a member when a people filter is set
 *   (a member was rung, answered, or placed the call).
 */
const HEAD = `
WITH _p AS (
  SELECT $1::timestamptz AS t_from, $2::timestamptz AS t_to, $3::text AS tz, $4::text AS did,
         $5::uuid AS department_id, $6::uuid AS user_id, $7::int AS sla_seconds, $8::timestamptz AS as_of
),
members AS (
  SELECT u.id FROM users u
   WHERE ($5::uuid IS NOT NULL OR $6::uuid IS NOT NULL)
     AND ($5::uuid IS NULL OR u.department_id = $5::uuid)
     AND ($6::uuid IS NULL OR u.id = $6::uuid)
),
legs_w AS (
  SELECT l.linkedid, l.user_id, l.step, l.outcome, l.rang_from, l.rang_to
    FROM call_legs l
   WHERE ${LEG_WINDOW}
),
scoped AS (
  SELECT c.linkedid, c.direction, c.caller, c.did, c.started_at, c.disposition, c.abandoned, c.voicemail,
         c.step_reached, c.ring_seconds::numeric AS ring_s, c.talk_seconds::numeric AS talk_s,
         c.answered_by_user_id, c.placed_by_user_id
    FROM calls c
   WHERE c.started_at >= $1::timestamptz AND c.started_at < $2::timestamptz
     AND ($4::text IS NULL OR c.did = $4::text)
     AND (($5::uuid IS NULL AND $6::uuid IS NULL)
          OR c.answered_by_user_id IN (SELECT id FROM members)
          OR c.placed_by_user_id IN (SELECT id FROM members)
          OR c.linkedid IN (SELECT lw.linkedid FROM legs_w lw WHERE lw.user_id IN (SELECT id FROM members)))
)`;

/**
 * The caller of an inbound call: `anonymous` (no number), `known` (the number belonged to a
 * contact or company that existed when the call started), else `new`.
 */
function callerKind(a: string, known: string): string {
  return `CASE WHEN ${a}.caller NOT LIKE '+%' THEN 'anonymous' WHEN ${known}.since <= ${a}.started_at THEN 'known' ELSE 'new' END`;
}

/**
 * Since when each number calling in the period has been a client's: the earliest creation of the
 * contact or company owning it. Looked up once per distinct number (hash joins, not a probe per call).
 */
const KNOWN_CALLERS = `known_since AS (
  SELECT pn.e164::text AS caller, min(coalesce(ct.created_at, co.created_at)) AS since
    FROM phone_numbers pn
    LEFT JOIN contacts ct ON ct.id = pn.contact_id
    LEFT JOIN companies co ON co.id = pn.company_id
   WHERE pn.e164 IN (SELECT DISTINCT sc.caller FROM scoped sc WHERE sc.direction = 'inbound' AND sc.caller LIKE '+%')
   GROUP BY pn.e164
)`;

/**
 * The client owning the call's number, if any, with `k.since` its creation (phone_numbers.e164 is
 * unique, so at most one row per call): a plain join the planner can hash, no per-number probe.
 */
const KNOWN_CALLER_JOIN = `LEFT JOIN (SELECT pn.e164::text AS caller, coalesce(ct.created_at, co.created_at) AS since
    FROM phone_numbers pn
    LEFT JOIN contacts ct ON ct.id = pn.contact_id
    LEFT JOIN companies co ON co.id = pn.company_id) k ON k.caller = s.caller`;

const INBOUND = `s.direction = 'inbound'`;
const ANSWERED = `${INBOUND} AND s.disposition = 'answered'`;
const MISSED = `${INBOUND} AND s.disposition = 'missed'`;
const ABANDONED = `${MISSED} AND s.abandoned`;
const UNANSWERED = `${MISSED} AND NOT s.abandoned`;

/** Company figures: one total row, one row per line (DID), one row per step reached (GROUPING SETS). */
export const OVERVIEW_SQL = `${HEAD},
inbound AS (
  SELECT s.did, s.step_reached, s.caller, s.disposition, s.abandoned, s.voicemail, s.ring_s, s.talk_s,
         ${callerKind('s', 'k')} AS caller_kind
    FROM scoped s ${KNOWN_CALLER_JOIN}
   WHERE ${INBOUND}
)
SELECT GROUPING(s.did) = 0 AS by_line, false AS by_step, s.did AS line, NULL::text AS step,
       count(*)::int AS inbound,
       count(*) FILTER (WHERE s.disposition = 'answered')::int AS answered,
       count(*) FILTER (WHERE s.disposition = 'missed')::int AS missed,
       count(*) FILTER (WHERE s.disposition = 'missed' AND s.abandoned)::int AS abandoned,
       count(*) FILTER (WHERE s.disposition = 'missed' AND NOT s.abandoned)::int AS unanswered,
       count(*) FILTER (WHERE s.disposition = 'missed' AND s.voicemail)::int AS voicemail,
       ${median('s.ring_s', `s.disposition = 'missed' AND s.abandoned`)} AS abandoned_wait_median,
       ${median('s.ring_s', `s.disposition = 'answered'`)} AS answer_speed_median,
       ${average('s.ring_s', `s.disposition = 'answered'`)} AS answer_speed_avg,
       coalesce(sum(s.talk_s) FILTER (WHERE s.disposition = 'answered'), 0) AS talk_total,
       count(*) FILTER (WHERE s.caller_kind = 'new')::int AS from_new,
       count(*) FILTER (WHERE s.caller_kind = 'known')::int AS from_known,
       count(*) FILTER (WHERE s.caller_kind = 'anonymous')::int AS from_anonymous,
       count(DISTINCT s.caller) FILTER (WHERE s.caller_kind = 'new')::int AS new_numbers,
       count(DISTINCT s.caller) FILTER (WHERE s.caller_kind = 'known')::int AS known_numbers
  FROM inbound s
 GROUP BY GROUPING SETS ((), (s.did))
UNION ALL
-- Steps show counts only: one hash aggregate, no sorts.
SELECT false, true, NULL, s.step_reached,
       count(*)::int,
       count(*) FILTER (WHERE s.disposition = 'answered')::int,
       count(*) FILTER (WHERE s.disposition = 'missed')::int,
       count(*) FILTER (WHERE s.disposition = 'missed' AND s.abandoned)::int,
       count(*) FILTER (WHERE s.disposition = 'missed' AND NOT s.abandoned)::int,
       count(*) FILTER (WHERE s.disposition = 'missed' AND s.voicemail)::int,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM inbound s
 GROUP BY s.step_reached
 ORDER BY by_line, by_step, line NULLS LAST, step NULLS LAST`;

/** Outbound and internal totals (company tiles). */
export const OUTBOUND_SQL = `${HEAD}
SELECT count(*) FILTER (WHERE s.direction = 'outbound')::int AS outbound,
       count(*) FILTER (WHERE s.direction = 'outbound' AND s.disposition = 'answered')::int AS outbound_answered,
       coalesce(sum(s.talk_s) FILTER (WHERE s.direction = 'outbound' AND s.disposition = 'answered'), 0) AS outbound_talk_total,
       count(*) FILTER (WHERE s.direction = 'internal')::int AS internal
  FROM scoped s`;

/**
 * Per person: rung, answered, missed by them, pick-up speed, talk, outbound, callbacks, overdue.
 * Leg figures come from call_people (one row per inbound call and person, written with the call);
 * each part only counts a person's own calls, which are in scope whenever the person is a member,
 * so only the period and line filter them (the people filter picks the rows at the end).
 */
export const MANAGERS_SQL = `${HEAD},
by_leg AS (
  SELECT cp.user_id,
         count(*) FILTER (WHERE cp.rang)::int AS rang,
         count(*) FILTER (WHERE cp.missed)::int AS missed,
         count(*) FILTER (WHERE cp.missed_caller_hung_up)::int AS missed_caller_hung_up,
         ${median('cp.pickup_seconds', 'cp.pickup_seconds IS NOT NULL')} AS pickup_median,
         ${average('cp.pickup_seconds', 'cp.pickup_seconds IS NOT NULL')} AS pickup_avg
    FROM call_people cp
   WHERE cp.started_at >= $1::timestamptz AND cp.started_at < $2::timestamptz
     AND ($4::text IS NULL OR cp.did = $4::text)
   GROUP BY cp.user_id
),
by_answer AS (
  SELECT c.answered_by_user_id AS user_id, count(*)::int AS answered, sum(c.talk_seconds::numeric) AS inbound_talk
    FROM calls c
   WHERE c.started_at >= $1::timestamptz AND c.started_at < $2::timestamptz AND ($4::text IS NULL OR c.did = $4::text)
     AND c.direction = 'inbound' AND c.disposition = 'answered' AND c.answered_by_user_id IS NOT NULL
   GROUP BY c.answered_by_user_id
),
by_outbound AS (
  SELECT c.placed_by_user_id AS user_id, count(*)::int AS outbound,
         count(*) FILTER (WHERE c.disposition = 'answered')::int AS outbound_answered,
         coalesce(sum(c.talk_seconds::numeric) FILTER (WHERE c.disposition = 'answered'), 0) AS outbound_talk
    FROM calls c
   WHERE c.started_at >= $1::timestamptz AND c.started_at < $2::timestamptz AND ($4::text IS NULL OR c.did = $4::text)
     AND c.direction = 'outbound' AND c.placed_by_user_id IS NOT NULL
   GROUP BY c.placed_by_user_id
),
by_callback AS (
  SELECT t.closed_by_user_id AS user_id, count(*)::int AS callbacks,
         ${median('t.callback_seconds::numeric')} AS callback_median
    FROM tasks t
   WHERE t.kind = 'callback' AND t.callback_seconds IS NOT NULL
     AND t.done_at >= $1::timestamptz AND t.done_at < $2::timestamptz AND t.closed_by_user_id IS NOT NULL
     AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM calls mc WHERE mc.caller = t.phone AND mc.did = $4::text
          AND mc.started_at BETWEEN t.first_missed_at - interval '1 millisecond' AND t.first_missed_at + interval '1 millisecond'))
   GROUP BY t.closed_by_user_id
),
by_overdue AS (
  SELECT t.assignee_id AS user_id, count(*)::int AS overdue
    FROM tasks t
   WHERE t.kind = 'callback' AND t.done_at IS NULL AND t.due_at < $8::timestamptz AND t.assignee_id IS NOT NULL
   GROUP BY t.assignee_id
),
people AS (
  SELECT u.id FROM users u WHERE u.active AND cardinality(u.extensions) > 0
  UNION SELECT user_id FROM by_leg UNION SELECT user_id FROM by_answer
  UNION SELECT user_id FROM by_outbound UNION SELECT user_id FROM by_callback
)
SELECT u.id AS user_id, u.name, u.role, u.extensions, d.name AS department,
       coalesce(bl.rang, 0) AS rang, coalesce(ba.answered, 0) AS answered, coalesce(bl.missed, 0) AS missed,
       coalesce(bl.missed_caller_hung_up, 0) AS missed_caller_hung_up,
       bl.pickup_median, bl.pickup_avg, coalesce(ba.inbound_talk, 0) AS inbound_talk,
       coalesce(bo.outbound, 0) AS outbound, coalesce(bo.outbound_answered, 0) AS outbound_answered,
       coalesce(bo.outbound_talk, 0) AS outbound_talk,
       coalesce(bc.callbacks, 0) AS callbacks, bc.callback_median, coalesce(bd.overdue, 0) AS overdue
  FROM people p
  JOIN users u ON u.id = p.id
  LEFT JOIN departments d ON d.id = u.department_id
  LEFT JOIN by_leg bl ON bl.user_id = u.id
  LEFT JOIN by_answer ba ON ba.user_id = u.id
  LEFT JOIN by_outbound bo ON bo.user_id = u.id
  LEFT JOIN by_callback bc ON bc.user_id = u.id
  LEFT JOIN by_overdue bd ON bd.user_id = u.id
 WHERE ($5::uuid IS NULL AND $6::uuid IS NULL) OR u.id IN (SELECT id FROM members)
 ORDER BY u.name, u.id`;

/** Upper bounds (seconds, inclusive) of the callback speed buckets; the last bucket is open. */
export const CALLBACK_BUCKETS = [
  { key: 'le_5m', label: '≤ 5 min', upTo: 300 },
  { key: 'le_15m', label: '5–15 min', upTo: 900 },
  { key: 'le_1h', label: '15–60 min', upTo: 3600 },
  { key: 'le_4h', label: '1–4 h', upTo: 14400 },
  { key: 'le_24h', label: '4–24 h', upTo: 86400 },
  { key: 'gt_24h', label: '> 24 h', upTo: null },
] as const;

const BUCKET_CASE = `CASE ${CALLBACK_BUCKETS.filter((b) => b.upTo !== null)
  .map((b) => `WHEN t.callback_seconds <= ${b.upTo} THEN '${b.key}'`)
  .join(' ')} ELSE 'gt_24h' END`;

/**
 * Missed-call follow-up: callback tasks whose first missed call started in the period (the
 * number's missed calls while the task was open are merged into it), their callback speed, and
 * how they are distributed. On the line's calls when $4 is set; assigned to or closed by a member
 * when a people filter is set.
 */
export const CALLBACKS_SQL = `${HEAD},
cb AS (
  SELECT t.id, t.callback_seconds, t.done_at
    FROM tasks t
   WHERE t.kind = 'callback' AND t.first_missed_at >= $1::timestamptz AND t.first_missed_at < $2::timestamptz
     AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM calls mc WHERE mc.caller = t.phone AND mc.did = $4::text
          AND mc.started_at BETWEEN t.first_missed_at - interval '1 millisecond' AND t.first_missed_at + interval '1 millisecond'))
     AND (($5::uuid IS NULL AND $6::uuid IS NULL)
          OR t.assignee_id IN (SELECT id FROM members) OR t.closed_by_user_id IN (SELECT id FROM members))
)
SELECT count(*)::int AS tasks,
       count(*) FILTER (WHERE t.callback_seconds IS NOT NULL)::int AS called_back,
       count(*) FILTER (WHERE t.callback_seconds <= $7::int)::int AS within_sla,
       count(*) FILTER (WHERE t.callback_seconds IS NULL)::int AS never_called_back,
       count(*) FILTER (WHERE t.done_at IS NULL)::int AS still_open,
       ${median('t.callback_seconds::numeric')} AS callback_median,
       ${average('t.callback_seconds::numeric')} AS callback_avg,
       ${CALLBACK_BUCKETS.map((b) => `count(*) FILTER (WHERE t.callback_seconds IS NOT NULL AND ${BUCKET_CASE} = '${b.key}')::int AS ${b.key}`).join(',\n       ')}
  FROM cb t`;

/** Open callback tasks past their due time, by assignee (null = nobody: the lead exchange). Not bound to the period. */
export const OVERDUE_SQL = `${HEAD}
SELECT t.assignee_id AS user_id, u.name, count(*)::int AS overdue, min(t.due_at) AS oldest_due_at
  FROM tasks t
  LEFT JOIN users u ON u.id = t.assignee_id
 WHERE t.kind = 'callback' AND t.done_at IS NULL AND t.due_at < $8::timestamptz
   AND (($5::uuid IS NULL AND $6::uuid IS NULL) OR t.assignee_id IN (SELECT id FROM members))
 GROUP BY t.assignee_id, u.name
 ORDER BY overdue DESC, u.name NULLS FIRST`;

/** Inbound calls by ISO weekday (1 = Monday) × hour of day (0–23), in the time zone. */
export const HEATMAP_SQL = `${HEAD},
-- One time zone conversion per call: local hours first (a few hundred groups), then weekday × hour.
by_hour AS (
  SELECT date_trunc('hour', s.started_at AT TIME ZONE $3::text) AS local_hour,
         count(*)::int AS inbound,
         count(*) FILTER (WHERE s.disposition = 'answered')::int AS answered,
         count(*) FILTER (WHERE s.disposition = 'missed')::int AS missed
    FROM scoped s WHERE ${INBOUND}
   GROUP BY 1
)
SELECT extract(isodow FROM h.local_hour)::int AS dow, extract(hour FROM h.local_hour)::int AS hour,
       sum(h.inbound)::int AS inbound, sum(h.answered)::int AS answered, sum(h.missed)::int AS missed
  FROM by_hour h
 GROUP BY 1, 2 ORDER BY 1, 2`;

/** One row per local day of the period, empty days included. */
export const DAILY_SQL = `${HEAD},
days AS (
  SELECT d::date AS day
    FROM generate_series(($1::timestamptz AT TIME ZONE $3::text)::date,
                         (($2::timestamptz - interval '1 microsecond') AT TIME ZONE $3::text)::date, interval '1 day') AS d
),
agg AS (
  SELECT (s.started_at AT TIME ZONE $3::text)::date AS day,
         count(*) FILTER (WHERE ${INBOUND})::int AS inbound,
         count(*) FILTER (WHERE ${ANSWERED})::int AS answered,
         count(*) FILTER (WHERE ${MISSED})::int AS missed,
         count(*) FILTER (WHERE ${ABANDONED})::int AS abandoned,
         count(*) FILTER (WHERE ${UNANSWERED})::int AS unanswered,
         count(*) FILTER (WHERE s.direction = 'outbound')::int AS outbound
    FROM scoped s GROUP BY 1
)
SELECT to_char(days.day, 'YYYY-MM-DD') AS day,
       coalesce(agg.inbound, 0) AS inbound, coalesce(agg.answered, 0) AS answered, coalesce(agg.missed, 0) AS missed,
       coalesce(agg.abandoned, 0) AS abandoned, coalesce(agg.unanswered, 0) AS unanswered, coalesce(agg.outbound, 0) AS outbound
  FROM days LEFT JOIN agg ON agg.day = days.day
 ORDER BY days.day`;

// ---- drill-down ---------------------------------------------------------------------------------

/** A leg of this call missed by the person $6 (the rule of MANAGERS_SQL, on all of the call's legs). */
const MISSED_BY_USER = `EXISTS (SELECT 1 FROM call_legs l WHERE l.linkedid = s.linkedid AND l.user_id = $6::uuid AND l.missed)`;

/** Which calls make up each number of the dashboard (whitelisted; `user` ones need a user id). */
export const DRILL_METRICS = {
  all: 'TRUE',
  inbound: INBOUND,
  answered: ANSWERED,
  missed: MISSED,
  abandoned: ABANDONED,
  unanswered: UNANSWERED,
  voicemail: `${MISSED} AND s.voicemail`,
  new: `${INBOUND} AND s.caller_kind = 'new'`,
  known: `${INBOUND} AND s.caller_kind = 'known'`,
  anonymous: `${INBOUND} AND s.caller_kind = 'anonymous'`,
  outbound: `s.direction = 'outbound'`,
  outbound_answered: `s.direction = 'outbound' AND s.disposition = 'answered'`,
  internal: `s.direction = 'internal'`,
  user_rang: `${INBOUND} AND EXISTS (SELECT 1 FROM call_legs l WHERE l.linkedid = s.linkedid AND l.user_id = $6::uuid AND l.outcome NOT IN ${NEVER_RANG_OUTCOMES})`,
  user_answered: `${ANSWERED} AND s.answered_by_user_id = $6::uuid`,
  user_missed: `${INBOUND} AND ${MISSED_BY_USER}`,
  user_outbound: `s.direction = 'outbound' AND s.placed_by_user_id = $6::uuid`,
} as const;

export type DrillMetric = keyof typeof DRILL_METRICS;
export const USER_DRILL_METRICS: readonly DrillMetric[] = ['user_rang', 'user_answered', 'user_missed', 'user_outbound'];

/**
 * The calls behind a number: STATS_PARAMS, then $9 step reached, $10 local day (YYYY-MM-DD),
 * $11 ISO weekday, $12 hour, $13 limit, $14 offset. Legs and names come along for the list.
 */
export function drillDownSql(metric: DrillMetric): string {
  return `${HEAD},
${KNOWN_CALLERS},
picked AS (
  SELECT s.linkedid, count(*) OVER () AS total
    FROM (SELECT sc.*, ${callerKind('sc', 'k')} AS caller_kind FROM scoped sc LEFT JOIN known_since k ON k.caller = sc.caller) s
   WHERE (${DRILL_METRICS[metric]})
     AND ($9::text IS NULL OR s.step_reached IS NOT DISTINCT FROM nullif($9::text, 'none'))
     AND ($10::date IS NULL OR (s.started_at AT TIME ZONE $3::text)::date = $10::date)
     AND ($11::int IS NULL OR extract(isodow FROM s.started_at AT TIME ZONE $3::text) = $11::int)
     AND ($12::int IS NULL OR extract(hour FROM s.started_at AT TIME ZONE $3::text) = $12::int)
   ORDER BY s.started_at, s.linkedid
   LIMIT $13::int OFFSET $14::int
)
SELECT c.linkedid, c.direction, c.caller, c.caller_name, c.did, c.started_at, c.answered_at, c.ended_at,
       c.ring_seconds::numeric AS ring_seconds, c.talk_seconds::numeric AS talk_seconds, c.disposition, c.abandoned, c.voicemail,
       c.step_reached, c.step_index, c.answered_by_extension, ua.name AS answered_by_name, c.placed_by, c.hung_up_by,
       c.transferred_to, c.recording_file, c.voicemail_message, p.total::int AS total,
       cl.contact AS client_contact, cl.company AS client_company,
       coalesce((SELECT json_agg(json_build_object('seq', l.seq, 'extension', l.extension, 'name', lu.name, 'step', l.step,
                   'outcome', l.outcome, 'rangFrom', l.rang_from, 'rangTo', l.rang_to) ORDER BY l.seq)
                   FROM call_legs l LEFT JOIN users lu ON lu.id = l.user_id WHERE l.linkedid = c.linkedid), '[]'::json) AS legs
  FROM picked p
  JOIN calls c ON c.linkedid = p.linkedid
  LEFT JOIN users ua ON ua.id = c.answered_by_user_id
  -- Who the other party is in the CRM now (the callee of an outbound call, the caller otherwise).
  LEFT JOIN LATERAL (
    SELECT ct.name AS contact, co.name AS company
      FROM phone_numbers pn
      LEFT JOIN contacts ct ON ct.id = pn.contact_id
      LEFT JOIN companies co ON co.id = coalesce(ct.company_id, pn.company_id)
     WHERE pn.e164 = CASE WHEN c.direction = 'outbound' THEN c.callee ELSE c.caller END
     LIMIT 1) cl ON true
 ORDER BY c.started_at, c.linkedid`;
}

/** Resolves the period: $1/$2 are instants (ISO with offset) or local times/dates in the zone $5. */
export const RESOLVE_PERIOD_SQL = `
SELECT CASE WHEN $1::text IS NULL THEN date_trunc('month', now() AT TIME ZONE $5::text) AT TIME ZONE $5::text
            WHEN $2::boolean THEN $1::timestamptz
            ELSE $1::timestamp AT TIME ZONE $5::text END AS t_from,
       CASE WHEN $3::text IS NULL THEN (date_trunc('month', now() AT TIME ZONE $5::text) + interval '1 month') AT TIME ZONE $5::text
            WHEN $4::boolean THEN $3::timestamptz
            ELSE $3::timestamp AT TIME ZONE $5::text END AS t_to`;

/** Memory for the sorts and hashes of one statistics statement (a month of calls and legs fits). */
export const STATS_WORK_MEM = '64MB';

/** Departments for the filter list. */
export const DEPARTMENTS_SQL = `SELECT d.id, d.name FROM departments d ORDER BY d.name`;
