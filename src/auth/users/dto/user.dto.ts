import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { IsOmittable } from '../../../common/validation';
import { ROLES, type Role } from '../../../people/person';

export class CreateUserDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200)
  name!: string;

  @ApiProperty() @IsEmail()
  email!: string;

  @ApiProperty({ minLength: 8 }) @IsString() @MinLength(8) @MaxLength(200)
  password!: string;

  @ApiProperty({ enum: ROLES }) @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ type: [String], example: ['101'] })
  @IsOmittable() @IsArray() @ArrayMaxSize(10) @Matches(/^[0-9A-Za-z*#+]{1,20}$/, { each: true, message: 'each extension must be 1-20 dialable characters' })
  extensions?: string[];

  @ApiPropertyOptional({ type: [String], example: ['PJSIP/101'] })
  @IsOmittable() @IsArray() @ArrayMaxSize(10) @Matches(/^[A-Za-z0-9]+\/[^\s,&]{1,80}$/, { each: true, message: 'each device must look like PJSIP/101' })
  devices?: string[];

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional() @IsOmittable() @IsBoolean()
  dnd?: boolean;

  @ApiPropertyOptional() @IsOmittable() @IsBoolean()
  active?: boolean;
}

export class UpdateUserDto extends PartialType(CreateUserDto, { skipNullProperties: false }) {}
