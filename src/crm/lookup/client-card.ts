import { voicemailBoxOf } from '../../telephony/calls/call-record';
/** What a manager sees about a phone number: the caller card (REST lookup and desk popups). */
export interface ClientCard {
  phone: string;
  known: boolean;
  contact: { id: string; name: string; position: string | null } | null;
  company: { id: string; name: string; tags: string[]; abcCategory: string | null } | null;
  responsible: { id: string; name: string; extensions: string[] } | null;
  openDeals: { id: string; title: string; stageId: string; stageName: string; budget: string | null; responsibleId: string | null }[];
  openTasks: { id: string; title: string; kind: string; dueAt: string | null; assigneeId: string | null; voicemail: VoicemailMessage | null }[];
  lastCalls: {
    linkedid: string;
    direction: string;
    startedAt: string;
    disposition: string;
    abandoned: boolean;
    talkSeconds: number;
    answeredBy: string | null;
    voicemail: VoicemailMessage | null;
  }[];
}

/** A voicemail message the caller left: the file on the PBX (VM_MESSAGEFILE) and its mailbox (`101@default`). */
export interface VoicemailMessage {
  file: string;
  mailbox: string | null;
}

export function voicemailMessage(file: string | null): VoicemailMessage | null {
  return file === null ? null : { file, mailbox: voicemailBoxOf(file) };
}

/** Rows as the statements give them (`voicemailMessage`: the file) → rows with `voicemail: {file, mailbox}`. */
export function withVoicemail<T extends { voicemailMessage: string | null }>(rows: readonly T[] | null | undefined): (Omit<T, 'voicemailMessage'> & { voicemail: VoicemailMessage | null })[] {
  return (rows ?? []).map(({ voicemailMessage: file, ...row }) => ({ ...row, voicemail: voicemailMessage(file) }));
}

/**
 * One statement for the whole card (no N+1): the phone's owner, the responsible manager
 * (contact's, else company's), open deals and tasks of the contact/company/number, last 5 calls.
 */
export const CLIENT_CARD_STATEMENT = {
  name: 'client_card_v2',
  text: `
WITH owner AS (
  SELECT p.e164, ct.id AS contact_id, ct.name AS contact_name, ct.position,
         coalesce(ct.company_id, p.company_id) AS company_id,
         coalesce(ct.responsible_id, co.responsible_id) AS responsible_id
  FROM phone_numbers p
  LEFT JOIN contacts ct ON ct.id = p.contact_id
  LEFT JOIN companies co ON co.id = coalesce(ct.company_id, p.company_id)
  WHERE p.e164 = $1
)
SELECT
  (SELECT row_to_json(o) FROM (SELECT contact_id, contact_name, position, company_id, responsible_id FROM owner) o) AS owner,
  (SELECT json_build_object('id', co.id, 'name', co.name, 'tags', co.tags, 'abcCategory', co.abc_category)
     FROM companies co WHERE co.id = (SELECT company_id FROM owner)) AS company,
  (SELECT json_build_object('id', u.id, 'name', u.name, 'extensions', u.extensions)
     FROM users u WHERE u.id = (SELECT responsible_id FROM owner)) AS responsible,
  coalesce((SELECT json_agg(json_build_object('id', d.id, 'title', d.title, 'stageId', d.stage_id, 'stageName', s.name,
                                               'budget', d.budget, 'responsibleId', d.responsible_id) ORDER BY d.created_at DESC)
     FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id
     WHERE NOT s.is_closed
       AND (d.contact_id = (SELECT contact_id FROM owner) OR d.company_id = (SELECT company_id FROM owner))), '[]') AS open_deals,
  coalesce((SELECT json_agg(json_build_object('id', t.id, 'title', t.title, 'kind', t.kind, 'dueAt', t.due_at,
                                               'assigneeId', t.assignee_id, 'voicemailMessage', t.voicemail_message) ORDER BY t.due_at NULLS LAST)
     FROM tasks t
     WHERE t.done_at IS NULL
       AND (t.phone = $1 OR t.contact_id = (SELECT contact_id FROM owner) OR t.company_id = (SELECT company_id FROM owner)
            OR t.deal_id IN (SELECT d.id FROM deals d WHERE d.contact_id = (SELECT contact_id FROM owner)
                                                      OR d.company_id = (SELECT company_id FROM owner)))), '[]') AS open_tasks,
  coalesce((SELECT json_agg(c ORDER BY c."startedAt" DESC) FROM (
     SELECT k.linkedid, k.direction, k.started_at AS "startedAt", k.disposition, k.abandoned,
            k.talk_seconds AS "talkSeconds", u.name AS "answeredBy", k.voicemail_message AS "voicemailMessage"
     FROM calls k LEFT JOIN users u ON u.id = k.answered_by_user_id
     WHERE k.caller = $1 OR k.callee = $1
     ORDER BY k.started_at DESC LIMIT 5) c), '[]') AS last_calls`,
};

export interface ClientCardRow {
  owner: { contact_id: string | null; contact_name: string | null; position: string | null; company_id: string | null } | null;
  company: ClientCard['company'];
  responsible: ClientCard['responsible'];
  open_deals: ClientCard['openDeals'];
  open_tasks: (Omit<ClientCard['openTasks'][number], 'voicemail'> & { voicemailMessage: string | null })[];
  last_calls: (Omit<ClientCard['lastCalls'][number], 'voicemail'> & { voicemailMessage: string | null })[];
}

export function toClientCard(phone: string, row: ClientCardRow | undefined): ClientCard {
  const owner = row?.owner ?? null;
  return {
    phone,
    known: owner !== null,
    contact: owner?.contact_id ? { id: owner.contact_id, name: owner.contact_name ?? '', position: owner.position } : null,
    company: row?.company ?? null,
    responsible: row?.responsible ?? null,
    openDeals: row?.open_deals ?? [],
    openTasks: withVoicemail(row?.open_tasks),
    lastCalls: withVoicemail(row?.last_calls),
  };
}
