import type { EntityManager } from 'typeorm';
import { DomainError, notFound } from '../../common/domain-error';
import { nullable, readRow, readRows, text } from '../../common/sql-rows';
import { assignPhones } from '../phones/phone-ownership';
import { assignOpenTasksOfDeal, createCallbackTask, unassignOpenCallbacksOfDeal } from '../tasks/callback-tasks';

/**
 * Leads that come from the phone — a contact and an Unsorted deal for a number nobody knows, and
 * the lead exchange where managers claim them. Each function does one thing inside the caller's
 * transaction. The number is given to the new contact through `assignPhones`, the same
 * ownership check as the REST services: a number that meanwhile belongs to someone else is a
 * conflict (the caller's transaction rolls back and lead capture retries with the new owner),
 * never a second owner.
 */

export interface NewPhoneLead {
  phone: string;
  /** The new contact's name (the caller-ID name, or the number). */
  contactName: string;
  line: string | null;
  responsibleUserId: string | null;
  dealTitle: string;
  /** A callback task for the deal (a missed call), or null (an answered one). */
  callback: { title: string; dueAt: Date; missedAt: Date; voicemailMessage: string | null } | null;
}

/** A contact for the number, an Unsorted deal (source phone) and, for a missed call, a callback task. */
export async function createLeadFromCall(manager: EntityManager, lead: NewPhoneLead): Promise<{ contactId: string; dealId: string }> {
  const contact = readRow(
    'new contact',
    await manager.query(`INSERT INTO contacts (name, responsible_id) VALUES ($1, $2) RETURNING id`, [lead.contactName, lead.responsibleUserId]),
    { id: text },
  );
  const contactId = contact!.id;
  await assignPhones(manager, { contactId }, [{ e164: lead.phone, raw: lead.phone }], 'add');
  const deal = readRow(
    'new deal',
    await manager.query(
      `INSERT INTO deals (title, stage_id, responsible_id, contact_id, source, line) VALUES ($1, 'unsorted', $2, $3, 'phone', $4) RETURNING id`,
      [lead.dealTitle, lead.responsibleUserId, contactId, lead.line],
    ),
    { id: text },
  );
  const dealId = deal!.id;
  if (lead.callback !== null) {
    await createCallbackTask(manager, {
      title: lead.callback.title,
      phone: lead.phone,
      dealId,
      contactId,
      companyId: null,
      assigneeUserId: null,
      dueAt: lead.callback.dueAt,
      missedAt: lead.callback.missedAt,
      voicemailMessage: lead.callback.voicemailMessage,
    });
  }
  return { contactId, dealId };
}

/** The most recent open deal of a contact or company, if any. */
export async function latestOpenDeal(manager: EntityManager, owner: { contactId: string | null; companyId: string | null }): Promise<string | null> {
  const row = readRow(
    'latest open deal',
    await manager.query(
      `SELECT d.id FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id
        WHERE NOT s.is_closed AND (d.contact_id = $1 OR d.company_id = $2)
        ORDER BY d.created_at DESC LIMIT 1`,
      [owner.contactId, owner.companyId],
    ),
    { id: text },
  );
  return row?.id ?? null;
}

/**
 * Claims an Unsorted deal nobody owns for `userId` — atomic: of two simultaneous claims exactly
 * one wins, the other is a conflict naming the owner. Its unassigned open tasks and its contact
 * (when it has no responsible yet) go with it.
 */
export async function claimDeal(manager: EntityManager, dealId: string, userId: string): Promise<void> {
  const result: unknown = await manager.query(
    `UPDATE deals SET responsible_id = $2, updated_at = now()
      WHERE id = $1 AND responsible_id IS NULL AND stage_id = 'unsorted' RETURNING id, contact_id`,
    [dealId, userId],
  );
  // An UPDATE … RETURNING through TypeORM gives [rows, affected].
  const claimed = readRows('claimed deal', Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result, { id: text, contact_id: nullable(text) });
  const row = claimed[0];
  if (!row) {
    const deal = readRow(
      'deal to claim',
      await manager.query(`SELECT d.stage_id, u.name AS owner FROM deals d LEFT JOIN users u ON u.id = d.responsible_id WHERE d.id = $1`, [dealId]),
      { stage_id: text, owner: nullable(text) },
    );
    if (!deal) throw notFound('deal', dealId);
    throw new DomainError('conflict', deal.owner ? `already claimed by ${deal.owner}` : `the deal is no longer in the exchange (stage ${deal.stage_id})`, {
      owner: deal.owner,
    });
  }
  await assignOpenTasksOfDeal(manager, dealId, userId);
  if (row.contact_id) await manager.query(`UPDATE contacts SET responsible_id = $2 WHERE id = $1 AND responsible_id IS NULL`, [row.contact_id, userId]);
}

/**
 * Gives an Unsorted deal back to the exchange: nobody's again, its open callback tasks too, and
 * its contact loses the responsible the claim gave it. `mayReturn` decides on the deal's owner.
 */
export async function returnDealToExchange(manager: EntityManager, dealId: string, mayReturn: (ownerId: string | null) => boolean): Promise<void> {
  const deal = readRow(
    'deal to return',
    await manager.query(`SELECT responsible_id, contact_id, stage_id FROM deals WHERE id = $1 FOR UPDATE`, [dealId]),
    { responsible_id: nullable(text), contact_id: nullable(text), stage_id: text },
  );
  if (!deal) throw notFound('deal', dealId);
  if (!mayReturn(deal.responsible_id)) throw new DomainError('forbidden', "only the deal's owner or a supervisor may return it to the exchange");
  if (deal.stage_id !== 'unsorted') throw new DomainError('conflict', `only Unsorted deals go back to the exchange (stage ${deal.stage_id})`);
  await manager.query(`UPDATE deals SET responsible_id = NULL, updated_at = now() WHERE id = $1`, [dealId]);
  await unassignOpenCallbacksOfDeal(manager, dealId);
  if (deal.contact_id && deal.responsible_id) {
    await manager.query(`UPDATE contacts SET responsible_id = NULL WHERE id = $1 AND responsible_id = $2`, [deal.contact_id, deal.responsible_id]);
  }
}
