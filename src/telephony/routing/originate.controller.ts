import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { OriginateService, type OriginateResult } from './originate.service';

export class OriginateDto {
  @ApiPropertyOptional({ example: '+7 916 123-45-67' }) @IsOptional() @IsString() @MaxLength(40)
  number?: string;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID()
  contactId?: string;

  /** One of your own extensions to ring first (default: your first). */
  @ApiPropertyOptional({ example: '101' }) @IsOptional() @IsString() @Matches(/^[0-9A-Za-z]{1,20}$/)
  extension?: string;
}

@ApiTags('calls')
@ApiBearerAuth()
@Controller('api/calls')
export class OriginateController {
  constructor(private readonly originate: OriginateService) {}

  /** Click-to-call: your phone rings first, then the client (a number, or a contact's first number). */
  @Post('originate')
  @HttpCode(202)
  call(@Body() body: OriginateDto, @CurrentUser() user: AuthUser): Promise<OriginateResult> {
    return this.originate.originate(user.id, body);
  }
}
