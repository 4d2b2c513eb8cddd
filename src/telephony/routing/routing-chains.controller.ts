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
import { PresenceService } from './presence.service';
import { RoutingService } from './routing.service';
import type { RoutePlan } from './route-plan';
import { RouteTestQuery } from './dto/route-test.dto';

/** A device the PBX has reported (DeviceStateChange, ExtensionStatus, ContactStatus) and its last state. */
export interface PbxDevice {
  device: string;
  state: string;
}

/** Escalation chains (admin) and the recorded route decisions (supervisors). */
@ApiTags('routing')
@ApiBearerAuth()
@Controller('api/routing')
export class RoutingChainsController {
  constructor(
    private readonly chains: RoutingChainsService,
    private readonly routing: RoutingService,
    private readonly presence: PresenceService,
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

  /** The lines' names by DID ({ "74951112244": "Yandex.Direct" }): every screen shows them instead of the number. */
  @Get('lines')
  lines(): Record<string, string> {
    const names: Record<string, string> = {};
    for (const [did, rule] of Object.entries(this.chains.routing.lines)) if (rule.name) names[did] = rule.name;
    return names;
  }

  /** "Test this route": the plan the dialplan would get for a caller on a line at a time (nothing recorded). */
  @Roles(...SUPERVISORS)
  @Get('test')
  test(@Query() query: RouteTestQuery): Promise<RoutePlan> {
    return this.routing.preview(query.caller, query.did, query.at ? new Date(query.at) : new Date());
  }

  /** The last route decisions, newest first, with who was skipped and why. */
  @Roles(...SUPERVISORS)
  @Get('decisions/recent')
  recent(@Query('limit') limit?: string): Promise<RouteDecision[]> {
    const take = limit === undefined ? 20 : Number(limit);
    if (!Number.isInteger(take) || take < 1 || take > 200) throw new DomainError('invalid', 'limit must be 1–200', { field: 'limit' });
    return this.dataSource.getRepository(RouteDecision).find({ order: { decidedAt: 'DESC' }, take });
  }

  /** The devices the PBX reports now (for the admin's device picker), sorted by name. */
  @Roles('admin')
  @Get('devices')
  devices(): PbxDevice[] {
    return [...this.presence.state.entries()].map(([device, state]) => ({ device, state })).sort((a, b) => a.device.localeCompare(b.device));
  }
}
