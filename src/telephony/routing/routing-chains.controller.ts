import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { Roles, SUPERVISORS } from '../../auth/roles.decorator';
import { DomainError } from '../../common/domain-error';
import type { RoutingConfig } from './chain-config';
import { RouteDecision } from './route-decision.entity';
import { RoutingChainsService, type ChainsSource } from './routing-chains.service';

/** Escalation chains (admin) and the recorded route decisions (supervisors). */
@ApiTags('routing')
@ApiBearerAuth()
@Controller('api/routing')
export class RoutingChainsController {
  constructor(
    private readonly chains: RoutingChainsService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Roles('admin')
  @Get('chains')
  get(): { source: ChainsSource; config: RoutingConfig } {
    return { source: this.chains.source, config: this.chains.routing };
  }

  /** Replaces the whole routing configuration (chains, default/after-hours chain, working hours, lines). */
  @Roles('admin')
  @Put('chains')
  async put(@Body() body: Record<string, unknown>, @CurrentUser() user: AuthUser): Promise<{ source: ChainsSource; config: RoutingConfig }> {
    const config = await this.chains.save(body, user.id);
    return { source: 'database', config };
  }

  /** The decisions of one call: `?linkedid=` (the call record's id) or `?uniqueid=` (the inbound channel). */
  @Roles(...SUPERVISORS)
  @Get('decisions')
  async decisions(@Query('linkedid') linkedid?: string, @Query('uniqueid') uniqueid?: string): Promise<RouteDecision[]> {
    const id = linkedid ?? uniqueid;
    if (typeof id !== 'string' || id === '' || id.length > 64) throw new DomainError('invalid', 'give linkedid or uniqueid', { field: 'linkedid' });
    return this.dataSource.getRepository(RouteDecision).find({
      where: [{ linkedid: id }, { uniqueid: id }],
      order: { decidedAt: 'ASC' },
      take: 20,
    });
  }
}
