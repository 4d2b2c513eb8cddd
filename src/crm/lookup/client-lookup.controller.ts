import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { ClientCard } from './client-card';
import type { ClientFile } from './client-file';
import { ClientLookupService } from './client-lookup.service';

export class LookupQuery {
  @ApiProperty({ example: '8 (495) 123-45-67' }) @IsString() @MinLength(1) @MaxLength(64)
  phone!: string;
}

@ApiTags('clients')
@ApiBearerAuth()
@Controller('api/clients')
export class ClientLookupController {
  constructor(private readonly lookup: ClientLookupService) {}

  @Get('lookup')
  find(@Query() query: LookupQuery): Promise<ClientCard> {
    return this.lookup.lookup(query.phone);
  }

  /** The desk's client card page: contact, company, every deal, tasks, call history, stages. */
  @Get('file')
  file(@Query() query: LookupQuery): Promise<ClientFile> {
    return this.lookup.file(query.phone);
  }
}
