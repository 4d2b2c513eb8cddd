import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { CallsQueryDto } from './dto/calls-query.dto';
import { CallsService, type CallDetailView, type CallsPage } from './calls.service';

@ApiTags('calls')
@ApiBearerAuth()
@Controller('api/calls')
export class CallsController {
  constructor(private readonly calls: CallsService) {}

  /** Calls, newest first; managers see the calls that rang them, supervisors everyone's. */
  @Get()
  list(@Query() query: CallsQueryDto, @CurrentUser() user: AuthUser): Promise<CallsPage> {
    return this.calls.list(query, user);
  }

  @Get(':linkedid')
  get(@Param('linkedid') linkedid: string, @CurrentUser() user: AuthUser): Promise<CallDetailView> {
    return this.calls.get(linkedid, user);
  }
}
