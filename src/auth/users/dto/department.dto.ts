import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class DepartmentDto {
  @ApiProperty({ example: 'Sales' }) @IsString() @MinLength(1) @MaxLength(100) @Matches(/^[^\u0000-\u001f\u007f]*\S[^\u0000-\u001f\u007f]*$/, { message: 'name must be text without control characters' })
  name!: string;
}
