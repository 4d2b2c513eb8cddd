import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, type SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../../auth/auth-user';
import { isSupervisor } from '../../auth/supervision';
import { DomainError, notFound } from '../../common/domain-error';
import { AppConfig } from '../../config';
import { CallLeg } from './call-leg.entity';
import { Call } from './call.entity';
import type { CallsQueryDto } from './dto/calls-query.dto';
import { normalizePhone } from '../../common/phone-number';

export interface CallLegView {
  seq: number;
  extension: string;
  userId: string | null;
  step: string | null;
  rangFrom: Date | null;
  rangTo: Date | null;
  outcome: string;
}

export interface CallView {
  linkedid: string;
  direction: Call['direction'];
  caller: string;
  callerName: string | null;
  did: string | null;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  ringSeconds: number;
  talkSeconds: number;
  disposition: Call['disposition'];
  abandoned: boolean;
  voicemail: boolean;
  answeredByExtension: string | null;
  answeredByUserId: string | null;
  stepReached: string | null;
  stepIndex: number;
  hungUpBy: string | null;
  transferredTo: string | null;
  closedBy: string;
  /** Who the other party is in the CRM now (by the caller's number, or the callee's for outbound calls): null for a number nobody has. */
  client: CallClient | null;
}

export interface CallClient {
  contact: string | null;
  company: string | null;
}

export interface CallDetailView extends CallView {
  legs: CallLegView[];
}

export interface CallsPage {
  items: CallView[];
  total: number;
  limit: number;
  offset: number;
}

/** Reading stored calls; people below the supervisors see only calls that rang them. */
@Injectable()
export class CallsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async list(query: CallsQueryDto, user: AuthUser): Promise<CallsPage> {
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    if (query.from && query.to && new Date(query.from) > new Date(query.to)) {
      throw new DomainError('invalid', 'from must not be after to', { fields: [{ field: 'from', errors: ['from is after to'] }] });
    }
    const qb = this.dataSource.getRepository(Call).createQueryBuilder('c');
    if (query.from) qb.andWhere('c.started_at >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('c.started_at < :to', { to: new Date(query.to) });
    if (query.disposition) qb.andWhere('c.disposition = :disposition', { disposition: query.disposition });
    if (query.did) qb.andWhere('c.did = :did', { did: query.did });
    if (query.caller) {
      const caller = /^anonymous$/i.test(query.caller) ? 'anonymous' : (normalizePhone(query.caller, this.config.DEFAULT_REGION) ?? query.caller);
      qb.andWhere('c.caller = :caller', { caller });
    }
    if (query.userId) this.involving(qb, query.userId, 'filterUser');
    if (!isSupervisor(user)) this.involving(qb, user.id, 'me');
    const [rows, total] = await qb.orderBy('c.started_at', 'DESC').addOrderBy('c.linkedid', 'ASC').take(limit).skip(offset).getManyAndCount();
    const clients = await this.clientsOf(rows);
    return { items: rows.map((row) => callView(row, clients)), total, limit, offset };
  }

  async get(linkedid: string, user: AuthUser): Promise<CallDetailView> {
    const qb = this.dataSource.getRepository(Call).createQueryBuilder('c').where('c.linkedid = :linkedid', { linkedid });
    if (!isSupervisor(user)) this.involving(qb, user.id, 'me');
    const call = await qb.getOne();
    if (!call) throw notFound('call', linkedid);
    const legs = await this.dataSource.getRepository(CallLeg).find({ where: { linkedid }, order: { seq: 'ASC' } });
    return {
      ...callView(call, await this.clientsOf([call])),
      legs: legs.map((leg) => ({
        seq: leg.seq,
        extension: leg.extension,
        userId: leg.userId,
        step: leg.step,
        rangFrom: leg.rangFrom,
        rangTo: leg.rangTo,
        outcome: leg.outcome,
      })),
    };
  }

  /** The CRM names of the calls' other parties, by E.164 number, in one query. */
  private async clientsOf(calls: readonly Call[]): Promise<Map<string, CallClient>> {
    const phones = [...new Set(calls.map(otherParty).filter((phone) => phone.startsWith('+')))];
    if (phones.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT p.e164, ct.name AS contact, co.name AS company
         FROM phone_numbers p
         LEFT JOIN contacts ct ON ct.id = p.contact_id
         LEFT JOIN companies co ON co.id = coalesce(ct.company_id, p.company_id)
        WHERE p.e164 = ANY($1)`,
      [phones],
    )) as { e164: string; contact: string | null; company: string | null }[];
    return new Map(rows.map((row) => [row.e164, { contact: row.contact, company: row.company }]));
  }

  /** Calls the user answered or was rung on. */
  private involving(qb: SelectQueryBuilder<Call>, userId: string, name: string): void {
    qb.andWhere(
      new Brackets((where) => {
        where
          .where(`c.answered_by_user_id = :${name}`, { [name]: userId })
          .orWhere(`EXISTS (SELECT 1 FROM call_legs l WHERE l.linkedid = c.linkedid AND l.user_id = :${name})`, { [name]: userId });
      }),
    );
  }
}

/** The number of the party outside: the callee of an outbound call, the caller otherwise. */
function otherParty(call: Call): string {
  return call.direction === 'outbound' ? (call.callee ?? '') : call.caller;
}

function callView(call: Call, clients: ReadonlyMap<string, CallClient>): CallView {
  return {
    linkedid: call.linkedid,
    direction: call.direction,
    caller: call.caller,
    callerName: call.callerName,
    did: call.did,
    startedAt: call.startedAt,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt,
    ringSeconds: call.ringSeconds,
    talkSeconds: call.talkSeconds,
    disposition: call.disposition,
    abandoned: call.abandoned,
    voicemail: call.voicemail,
    answeredByExtension: call.answeredByExtension,
    answeredByUserId: call.answeredByUserId,
    stepReached: call.stepReached,
    stepIndex: call.stepIndex,
    hungUpBy: call.hungUpBy,
    transferredTo: call.transferredTo,
    closedBy: call.closedBy,
    client: clients.get(otherParty(call)) ?? null,
  };
}
