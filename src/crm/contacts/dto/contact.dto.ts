import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { IsOmittable } from '../../../common/validation';

export class CreateContactDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(300)
  name!: string;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString() @MaxLength(200)
  position?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID()
  companyId?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID()
  responsibleId?: string | null;

  @ApiPropertyOptional({ type: [String] }) @IsOmittable() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(40, { each: true })
  phones?: string[];
}

export class UpdateContactDto extends PartialType(CreateContactDto, { skipNullProperties: false }) {}
