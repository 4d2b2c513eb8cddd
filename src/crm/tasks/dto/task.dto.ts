import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDateString, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { IsOmittable } from '../../../common/validation';
import { TASK_KINDS, type TaskKind } from '../task-rules';

export class CreateTaskDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(300)
  title!: string;

  @ApiPropertyOptional({ enum: TASK_KINDS }) @IsOmittable() @IsIn(TASK_KINDS)
  kind?: TaskKind;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID()
  dealId?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID()
  contactId?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID()
  companyId?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'defaults to the creator' }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID()
  assigneeId?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsDateString({ strict: true })
  dueAt?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString() @MaxLength(5000)
  notes?: string | null;
}

export class UpdateTaskDto extends PartialType(CreateTaskDto, { skipNullProperties: false }) {
  @ApiPropertyOptional() @IsOmittable() @IsBoolean()
  done?: boolean;
}

const toBool = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

export class ListTasksQuery {
  @ApiPropertyOptional({ enum: TASK_KINDS }) @IsOptional() @IsIn(TASK_KINDS)
  kind?: TaskKind;

  @ApiPropertyOptional() @IsOptional() @Transform(toBool) @IsBoolean()
  open?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  assigneeId?: string;
}
