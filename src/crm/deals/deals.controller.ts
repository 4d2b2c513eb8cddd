import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import type { Deal } from './deal.entity';
import { DealsService } from './deals.service';
import { CreateDealDto, ListDealsQuery, MoveDealDto, UpdateDealDto } from './dto/deal.dto';

@ApiTags('deals')
@ApiBearerAuth()
@Controller('api/deals')
export class DealsController {
  constructor(private readonly deals: DealsService) {}

  @Get()
  list(@Query() query: ListDealsQuery): Promise<Deal[]> {
    return this.deals.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<Deal> {
    return this.deals.get(id);
  }

  @Post()
  create(@Body() body: CreateDealDto, @CurrentUser() user: AuthUser): Promise<Deal> {
    return this.deals.create(body, user);
  }

  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateDealDto, @CurrentUser() user: AuthUser): Promise<Deal> {
    return this.deals.update(id, body, user);
  }

  /** Stage moves obey the pipeline rules (lost: QA/head of sales only; conditional refusal: reason required). */
  @Post(':id/stage')
  @HttpCode(200)
  move(@Param('id', ParseUUIDPipe) id: string, @Body() body: MoveDealDto, @CurrentUser() user: AuthUser): Promise<Deal> {
    return this.deals.move(id, body.stageId, body.reason, user);
  }
}
