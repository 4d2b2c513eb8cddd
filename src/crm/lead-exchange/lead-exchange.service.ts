import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../auth/auth-user';
import { SUPERVISORS } from '../../auth/roles.decorator';
import { DomainError, notFound } from '../../common/domain-error';

export interface ExchangeLead {
  id: string;
  title: string;
  line: string | null;
  createdAt: string;
  contact: { id: string; name: string } | null;
  phones: string[];
  callbackDueAt: string | null;
  missedCalls: number;
  calls: { linkedid: string; startedAt: string; disposition: string; abandoned: boolean; ringSeconds: number }[];
}

/** The lead exchange: Unsorted deals nobody owns yet; managers claim them (first claim wins). */
@Injectable()
export class LeadExchangeService {
  private readonly logger = new Logger(LeadExchangeService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(limit = 100, offset = 0): Promise<ExchangeLead[]> {
    return this.dataSource.query(
      `SELECT d.id, d.title, d.line, d.created_at AS "createdAt",
              CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'name', c.name) END AS contact,
              coalesce((SELECT array_agg(p.e164 ORDER BY p.e164) FROM phone_numbers p WHERE p.contact_id = c.id), '{}') AS phones,
              (SELECT min(t.due_at) FROM tasks t WHERE t.deal_id = d.id AND t.kind = 'callback' AND t.done_at IS NULL) AS "callbackDueAt",
              coalesce((SELECT sum(t.missed_calls)::int FROM tasks t WHERE t.deal_id = d.id AND t.kind = 'callback'), 0) AS "missedCalls",
              coalesce((SELECT json_agg(x ORDER BY x."startedAt" DESC) FROM (
                 SELECT k.linkedid, k.started_at AS "startedAt", k.disposition, k.abandoned, k.ring_seconds AS "ringSeconds"
                   FROM calls k WHERE k.caller IN (SELECT p.e164 FROM phone_numbers p WHERE p.contact_id = c.id)
                  ORDER BY k.started_at DESC LIMIT 10) x), '[]') AS calls
         FROM deals d LEFT JOIN contacts c ON c.id = d.contact_id
        WHERE d.stage_id = 'unsorted' AND d.responsible_id IS NULL
        ORDER BY d.created_at
        LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
  }

  /** Atomic: of two simultaneous claims exactly one wins; the other gets a 409 naming the owner. */
  async claim(dealId: string, user: AuthUser): Promise<{ id: string; responsibleId: string }> {
    return this.dataSource.transaction(async (manager) => {
      const claimed = (await manager.query(
        `UPDATE deals SET responsible_id = $2, updated_at = now()
          WHERE id = $1 AND responsible_id IS NULL AND stage_id = 'unsorted' RETURNING id, contact_id`,
        [dealId, user.id],
      )) as [{ id: string; contact_id: string | null }[], number];
      const row = claimed[0][0];
      if (!row) {
        const [deal] = (await manager.query(
          `SELECT d.stage_id, u.name AS owner FROM deals d LEFT JOIN users u ON u.id = d.responsible_id WHERE d.id = $1`,
          [dealId],
        )) as { stage_id: string; owner: string | null }[];
        if (!deal) throw notFound('deal', dealId);
        throw new DomainError('conflict', deal.owner ? `already claimed by ${deal.owner}` : `the deal is no longer in the exchange (stage ${deal.stage_id})`, {
          owner: deal.owner,
        });
      }
      await manager.query(`UPDATE tasks SET assignee_id = $2 WHERE deal_id = $1 AND assignee_id IS NULL AND done_at IS NULL`, [dealId, user.id]);
      if (row.contact_id) await manager.query(`UPDATE contacts SET responsible_id = $2 WHERE id = $1 AND responsible_id IS NULL`, [row.contact_id, user.id]);
      this.logger.log(`deal ${dealId} claimed by user ${user.id}`);
      return { id: dealId, responsibleId: user.id };
    });
  }

  /** Gives a deal back to the exchange (its owner, or a supervisor). */
  async giveBack(dealId: string, user: AuthUser): Promise<{ id: string; responsibleId: null }> {
    return this.dataSource.transaction(async (manager) => {
      const [deal] = (await manager.query(`SELECT responsible_id, contact_id, stage_id FROM deals WHERE id = $1 FOR UPDATE`, [dealId])) as {
        responsible_id: string | null;
        contact_id: string | null;
        stage_id: string;
      }[];
      if (!deal) throw notFound('deal', dealId);
      if (deal.responsible_id !== user.id && !SUPERVISORS.includes(user.role)) {
        throw new DomainError('forbidden', 'only the deal\'s owner or a supervisor may return it to the exchange');
      }
      if (deal.stage_id !== 'unsorted') throw new DomainError('conflict', `only Unsorted deals go back to the exchange (stage ${deal.stage_id})`);
      await manager.query(`UPDATE deals SET responsible_id = NULL, updated_at = now() WHERE id = $1`, [dealId]);
      await manager.query(`UPDATE tasks SET assignee_id = NULL WHERE deal_id = $1 AND done_at IS NULL AND kind = 'callback'`, [dealId]);
      if (deal.contact_id && deal.responsible_id) {
        await manager.query(`UPDATE contacts SET responsible_id = NULL WHERE id = $1 AND responsible_id = $2`, [deal.contact_id, deal.responsible_id]);
      }
      this.logger.log(`deal ${dealId} returned to the exchange by user ${user.id}`);
      return { id: dealId, responsibleId: null };
    });
  }
}
