import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { Roles, SUPERVISORS } from '../../auth/roles.decorator';
import { ListQuery } from '../common-query';
import { CompaniesService } from './companies.service';
import type { Company } from './company.entity';
import { CreateCompanyDto, UpdateCompanyDto } from './dto/company.dto';

@ApiTags('companies')
@ApiBearerAuth()
@Controller('api/companies')
export class CompaniesController {
  constructor(private readonly companies: CompaniesService) {}

  @Get()
  list(@Query() query: ListQuery): Promise<Company[]> {
    return this.companies.list(query.search, query.limit, query.offset);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<Company> {
    return this.companies.get(id);
  }

  @Post()
  create(@Body() body: CreateCompanyDto, @CurrentUser() user: AuthUser): Promise<Company> {
    return this.companies.create(body, user);
  }

  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateCompanyDto, @CurrentUser() user: AuthUser): Promise<Company> {
    return this.companies.update(id, body, user);
  }

  @Roles(...SUPERVISORS)
  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.companies.remove(id);
  }
}
