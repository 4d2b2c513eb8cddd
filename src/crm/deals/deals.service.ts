import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AuthUser } from '../../auth/auth-user';
import { notFound } from '../../common/domain-error';
import { Deal } from './deal.entity';
import type { CreateDealDto, ListDealsQuery, UpdateDealDto } from './dto/deal.dto';
import type { StageId } from './stage-rules';
import { assertAllowed } from '../../common/verdict';
import { checkDealEdit, checkStageMove } from './stage-rules';

@Injectable()
export class DealsService {
  private readonly logger = new Logger(DealsService.name);

  constructor(@InjectRepository(Deal) private readonly deals: Repository<Deal>) {}

  list(query: ListDealsQuery, limit = 200, offset = 0): Promise<Deal[]> {
    return this.deals.find({
      where: {
        ...(query.stage ? { stageId: query.stage } : {}),
        ...(query.responsibleId ? { responsibleId: query.responsibleId } : {}),
      },
      relations: { company: true, contact: true },
      order: { createdAt: 'DESC' },
      take: limit,
      skip: offset,
    });
  }

  async get(id: string): Promise<Deal> {
    const deal = await this.deals.findOne({ where: { id }, relations: { company: true, contact: true, stage: true } });
    if (!deal) throw notFound('deal', id);
    return deal;
  }

  async create(input: CreateDealDto, user: AuthUser): Promise<Deal> {
    const { budget, ...fields } = input;
    const stageId = fields.stageId ?? 'unsorted';
    assertAllowed(checkDealEdit(null, user, fields.responsibleId));
    assertAllowed(checkStageMove(null, stageId, user.role, fields.closeReason));
    const saved = await this.deals.save(this.deals.create({ ...fields, stageId, budget: budget === undefined || budget === null ? null : String(budget) }));
    return this.get(saved.id);
  }

  async update(id: string, input: UpdateDealDto, user: AuthUser): Promise<Deal> {
    const deal = await this.get(id);
    assertAllowed(checkDealEdit(deal, user, input.responsibleId));
    const { budget, ...fields } = input;
    const changes = { ...fields, ...(budget !== undefined ? { budget: budget === null ? null : String(budget) } : {}) };
    if (Object.keys(changes).length > 0) await this.deals.update(id, changes);
    return this.get(id);
  }

  async move(id: string, stageId: StageId, reason: string | undefined, user: AuthUser): Promise<Deal> {
    const deal = await this.get(id);
    assertAllowed(checkDealEdit(deal, user, undefined));
    assertAllowed(checkStageMove(deal.stageId, stageId, user.role, reason));
    await this.deals.update(id, { stageId, ...(reason ? { closeReason: reason } : {}) });
    this.logger.log(`deal ${id} moved ${deal.stageId} → ${stageId} by user ${user.id}`);
    return this.get(id);
  }
}
