import { withVoicemail, type ClientCard, type VoicemailMessage } from './client-card';

/**
 * The client card page of the desk: everything about one phone number's owner in one statement
 * (no N+1): contact and company with their phones, the responsible manager, every deal (open ones
 * first), the tasks (open ones first, then the 50 last closed), the last 50 calls with their
 * recording and voicemail files, and the pipeline's stages for the "move to stage" control.
 */
export interface ClientFile {
  phone: string;
  known: boolean;
  contact: { id: string; name: string; position: string | null; phones: string[] } | null;
  company: { id: string; name: string; tags: string[]; abcCategory: string | null; phones: string[] } | null;
  responsible: ClientCard['responsible'];
  deals: {
    id: string;
    title: string;
    stageId: string;
    stageName: string;
    closed: boolean;
    /** numeric(14,2) as a JSON number. */
    budget: number | null;
    responsibleId: string | null;
    responsibleName: string | null;
    closeReason: string | null;
    createdAt: string;
    updatedAt: string;
  }[];
  tasks: {
    id: string;
    title: string;
    kind: string;
    dueAt: string | null;
    doneAt: string | null;
    notes: string | null;
    dealId: string | null;
    assigneeId: string | null;
    assigneeName: string | null;
    createdAt: string;
    voicemail: VoicemailMessage | null;
  }[];
  calls: {
    linkedid: string;
    direction: string;
    startedAt: string;
    disposition: string;
    abandoned: boolean;
    ringSeconds: number;
    talkSeconds: number;
    did: string | null;
    answeredBy: string | null;
    recordingFile: string | null;
    voicemail: VoicemailMessage | null;
  }[];
  stages: { id: string; name: string; closed: boolean }[];
}

/** How many closed tasks and calls the page lists (the newest). */
export const CLIENT_FILE_HISTORY = 50;

export const CLIENT_FILE_STATEMENT = {
  name: 'client_file_v1',
  text: `
WITH owner AS (
  SELECT p.e164, ct.id AS contact_id, coalesce(ct.company_id, p.company_id) AS company_id,
         coalesce(ct.responsible_id, co.responsible_id) AS responsible_id
  FROM phone_numbers p
  LEFT JOIN contacts ct ON ct.id = p.contact_id
  LEFT JOIN companies co ON co.id = coalesce(ct.company_id, p.company_id)
  WHERE p.e164 = $1
),
client_deals AS (
  SELECT d.* FROM deals d
  WHERE d.contact_id = (SELECT contact_id FROM owner) OR d.company_id = (SELECT company_id FROM owner)
),
client_tasks AS (
  SELECT t.* FROM tasks t
  WHERE t.phone = $1 OR t.contact_id = (SELECT contact_id FROM owner) OR t.company_id = (SELECT company_id FROM owner)
     OR t.deal_id IN (SELECT id FROM client_deals)
)
SELECT
  (SELECT row_to_json(o) FROM (SELECT contact_id, company_id FROM owner) o) AS owner,
  (SELECT json_build_object('id', ct.id, 'name', ct.name, 'position', ct.position,
                            'phones', coalesce((SELECT json_agg(p.e164 ORDER BY p.e164) FROM phone_numbers p WHERE p.contact_id = ct.id), '[]'))
     FROM contacts ct WHERE ct.id = (SELECT contact_id FROM owner)) AS contact,
  (SELECT json_build_object('id', co.id, 'name', co.name, 'tags', co.tags, 'abcCategory', co.abc_category,
                            'phones', coalesce((SELECT json_agg(p.e164 ORDER BY p.e164) FROM phone_numbers p WHERE p.company_id = co.id AND p.contact_id IS NULL), '[]'))
     FROM companies co WHERE co.id = (SELECT company_id FROM owner)) AS company,
  (SELECT json_build_object('id', u.id, 'name', u.name, 'extensions', u.extensions)
     FROM users u WHERE u.id = (SELECT responsible_id FROM owner)) AS responsible,
  coalesce((SELECT json_agg(json_build_object('id', d.id, 'title', d.title, 'stageId', d.stage_id, 'stageName', s.name,
                                               'closed', s.is_closed, 'budget', d.budget, 'responsibleId', d.responsible_id,
                                               'responsibleName', u.name, 'closeReason', d.close_reason,
                                               'createdAt', d.created_at, 'updatedAt', d.updated_at)
                            ORDER BY s.is_closed, d.created_at DESC)
     FROM client_deals d JOIN pipeline_stages s ON s.id = d.stage_id LEFT JOIN users u ON u.id = d.responsible_id), '[]') AS deals,
  coalesce((SELECT json_agg(x ORDER BY x."doneAt" DESC NULLS FIRST, x."dueAt" NULLS LAST, x."createdAt" DESC) FROM (
     SELECT t.id, t.title, t.kind, t.due_at AS "dueAt", t.done_at AS "doneAt", t.notes, t.deal_id AS "dealId",
            t.assignee_id AS "assigneeId", u.name AS "assigneeName", t.created_at AS "createdAt", t.voicemail_message AS "voicemailMessage"
     FROM client_tasks t LEFT JOIN users u ON u.id = t.assignee_id
     WHERE t.done_at IS NULL
     UNION ALL
     (SELECT t.id, t.title, t.kind, t.due_at, t.done_at, t.notes, t.deal_id, t.assignee_id, u.name, t.created_at, t.voicemail_message
      FROM client_tasks t LEFT JOIN users u ON u.id = t.assignee_id
      WHERE t.done_at IS NOT NULL ORDER BY t.done_at DESC LIMIT ${CLIENT_FILE_HISTORY})) x), '[]') AS tasks,
  coalesce((SELECT json_agg(c ORDER BY c."startedAt" DESC) FROM (
     SELECT k.linkedid, k.direction, k.started_at AS "startedAt", k.disposition, k.abandoned, k.ring_seconds AS "ringSeconds",
            k.talk_seconds AS "talkSeconds", k.did, u.name AS "answeredBy", k.recording_file AS "recordingFile",
            k.voicemail_message AS "voicemailMessage"
     FROM calls k LEFT JOIN users u ON u.id = k.answered_by_user_id
     WHERE k.caller = $1 OR k.callee = $1
     ORDER BY k.started_at DESC LIMIT ${CLIENT_FILE_HISTORY}) c), '[]') AS calls,
  (SELECT json_agg(json_build_object('id', s.id, 'name', s.name, 'closed', s.is_closed) ORDER BY s.position) FROM pipeline_stages s) AS stages`,
};

type WithVoicemailFile<T> = Omit<T, 'voicemail'> & { voicemailMessage: string | null };

export interface ClientFileRow {
  owner: { contact_id: string | null; company_id: string | null } | null;
  contact: ClientFile['contact'];
  company: ClientFile['company'];
  responsible: ClientFile['responsible'];
  deals: ClientFile['deals'];
  tasks: WithVoicemailFile<ClientFile['tasks'][number]>[];
  calls: WithVoicemailFile<ClientFile['calls'][number]>[];
  stages: ClientFile['stages'] | null;
}

export function toClientFile(phone: string, row: ClientFileRow | undefined): ClientFile {
  return {
    phone,
    known: (row?.owner ?? null) !== null,
    contact: row?.contact ?? null,
    company: row?.company ?? null,
    responsible: row?.responsible ?? null,
    deals: row?.deals ?? [],
    tasks: withVoicemail(row?.tasks),
    calls: withVoicemail(row?.calls),
    stages: row?.stages ?? [],
  };
}
