import { ApiProperty, ApiPropertyOptional, PartialType, OmitType } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { IsOmittable } from '../../../common/validation';
import { DEAL_SOURCES, type DealSource } from '../deal.entity';
import { STAGE_IDS, type StageId } from '../stage-rules';

export class CreateDealDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(300)
  title!: string;

  @ApiPropertyOptional({ enum: STAGE_IDS, default: 'unsorted' }) @IsOmittable() @IsIn(STAGE_IDS)
  stageId?: StageId;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }) @Min(0) @Max(999_999_999_999.99)
  budget?: number | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID()
  responsibleId?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID()
  companyId?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID()
  contactId?: string | null;

  @ApiPropertyOptional({ enum: DEAL_SOURCES }) @IsOmittable() @IsIn(DEAL_SOURCES)
  source?: DealSource;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @Matches(/^\+?\d{3,20}$/, { message: 'line must be a DID (digits)' })
  line?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'required for conditional_refusal' }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString() @MaxLength(2000)
  closeReason?: string | null;
}

/** The stage and its reason change only through POST /api/deals/:id/stage (the stage rules). */
export class UpdateDealDto extends PartialType(OmitType(CreateDealDto, ['stageId', 'closeReason'] as const), { skipNullProperties: false }) {}

export class MoveDealDto {
  @ApiProperty({ enum: STAGE_IDS }) @IsIn(STAGE_IDS)
  stageId!: StageId;

  @ApiPropertyOptional({ description: 'required for conditional_refusal' }) @IsOmittable() @IsString() @MaxLength(2000)
  reason?: string;
}

export class ListDealsQuery {
  @ApiPropertyOptional({ enum: STAGE_IDS }) @IsOptional() @IsIn(STAGE_IDS)
  stage?: StageId;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  responsibleId?: string;
}
