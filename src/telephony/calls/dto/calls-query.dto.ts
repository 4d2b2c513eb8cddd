import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

export const CALL_DISPOSITIONS = ['answered', 'missed'] as const;
export const MAX_CALLS_PAGE = 200;

export class CallsQueryDto {
  @ApiPropertyOptional({ description: 'Calls started at or after (ISO 8601)' })
  @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Calls started before (ISO 8601)' })
  @IsOptional() @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: CALL_DISPOSITIONS })
  @IsOptional() @IsIn(CALL_DISPOSITIONS)
  disposition?: (typeof CALL_DISPOSITIONS)[number];

  @ApiPropertyOptional({ description: 'Calls this user was rung on or answered' })
  @IsOptional() @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ description: 'Client number (any spelling; compared as E.164) or "anonymous"' })
  @IsOptional() @IsString() @MaxLength(40) @Matches(/^[+\d\s()\-.]+$|^anonymous$/i, { message: 'caller must be a phone number or anonymous' })
  caller?: string;

  @ApiPropertyOptional({ description: 'Line (DID) the call came in on' })
  @IsOptional() @IsString() @MaxLength(40) @Matches(/^[+\d]+$/, { message: 'did must be digits' })
  did?: string;

  @ApiPropertyOptional({ default: 50, maximum: MAX_CALLS_PAGE })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_CALLS_PAGE)
  limit?: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000)
  offset?: number;
}
