import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

/** Paging and search shared by the CRM list routes. */
export class ListQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({ default: 100, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @ApiPropertyOptional({ default: 0, maximum: 10_000_000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(10_000_000)
  offset?: number;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  companyId?: string;
}
