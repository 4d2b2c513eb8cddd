import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { ListQuery } from '../common-query';
import { LeadExchangeService, type ExchangeLead } from './lead-exchange.service';

@ApiTags('lead exchange')
@ApiBearerAuth()
@Controller('api')
export class LeadExchangeController {
  constructor(private readonly exchange: LeadExchangeService) {}

  /** Unsorted deals nobody owns yet, with their calls. */
  @Get('lead-exchange')
  list(@Query() query: ListQuery): Promise<ExchangeLead[]> {
    return this.exchange.list(query.limit, query.offset);
  }

  @Post('deals/:id/claim')
  @HttpCode(200)
  claim(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthUser): Promise<{ id: string; responsibleId: string }> {
    return this.exchange.claim(id, user);
  }

  @Post('deals/:id/return')
  @HttpCode(200)
  giveBack(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthUser): Promise<{ id: string; responsibleId: null }> {
    return this.exchange.giveBack(id, user);
  }
}
