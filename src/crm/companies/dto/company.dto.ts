import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { IsOmittable } from '../../../common/validation';
import { ABC_CATEGORIES, type AbcCategory } from '../abc-category';

export class CreateCompanyDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(300)
  name!: string;

  @ApiPropertyOptional({ type: [String] }) @IsOmittable() @IsArray() @ArrayMaxSize(30) @IsString({ each: true }) @MaxLength(50, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ enum: ABC_CATEGORIES, nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsIn(ABC_CATEGORIES)
  abcCategory?: AbcCategory | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID()
  responsibleId?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['+7 495 123-45-67'] }) @IsOmittable() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(40, { each: true })
  phones?: string[];
}

export class UpdateCompanyDto extends PartialType(CreateCompanyDto, { skipNullProperties: false }) {}
