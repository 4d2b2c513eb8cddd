import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../auth/auth-user';
import { SUPERVISORS } from '../../auth/roles.decorator';
import { arrayOf, bool, int, isoTime, nullable, num, object, readRows, text, textArray } from '../../common/sql-rows';
import { claimDeal, returnDealToExchange } from '../deals/phone-leads';

export interface ExchangeLead {
  id: string;
  title: string;
  line: string | null;
  createdAt: string;
  contact: { id: string; name: string } | null;
  phones: string[];
  callbackDueAt: string | null;
  missedCalls: number;
  calls: { linkedid: string; startedAt: string; disposition: string; abandoned: boolean; ringSeconds: number | null }[];
}

const EXCHANGE_LEAD = {
  id: text,
  title: text,
  line: nullable(text),
  createdAt: isoTime,
  contact: nullable(object({ id: text, name: text })),
  phones: textArray,
  callbackDueAt: nullable(isoTime),
  missedCalls: int,
  calls: arrayOf(object({ linkedid: text, startedAt: isoTime, disposition: text, abandoned: bool, ringSeconds: nullable(num) })),
};

/** The lead exchange: Unsorted deals nobody owns yet; managers claim them (first claim wins). */
@Injectable()
export class LeadExchangeService {
  private readonly logger = new Logger(LeadExchangeService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(limit = 100, offset = 0): Promise<ExchangeLead[]> {
    const result: unknown = await this.dataSource.query(
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
    return readRows('lead exchange', result, EXCHANGE_LEAD);
  }

  /** Atomic: of two simultaneous claims exactly one wins; the other gets a 409 naming the owner. */
  async claim(dealId: string, user: AuthUser): Promise<{ id: string; responsibleId: string }> {
    await this.dataSource.transaction((manager) => claimDeal(manager, dealId, user.id));
    this.logger.log(`deal ${dealId} claimed by user ${user.id}`);
    return { id: dealId, responsibleId: user.id };
  }

  /** Gives a deal back to the exchange (its owner, or a supervisor). */
  async giveBack(dealId: string, user: AuthUser): Promise<{ id: string; responsibleId: null }> {
    await this.dataSource.transaction((manager) =>
      returnDealToExchange(manager, dealId, (ownerId) => ownerId === user.id || SUPERVISORS.includes(user.role)),
    );
    this.logger.log(`deal ${dealId} returned to the exchange by user ${user.id}`);
    return { id: dealId, responsibleId: null };
  }
}
