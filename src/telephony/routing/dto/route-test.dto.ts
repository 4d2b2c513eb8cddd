import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** GET /api/routing/test: the caller and the line as the dialplan sends them, and when. */
export class RouteTestQuery {
  @ApiProperty({ example: '+79161234567', description: 'caller ID number (or anonymous)' })
  @IsString() @MinLength(1) @MaxLength(64) @Matches(/^[+\d\s()\-.]+$|^anonymous$/i, { message: 'caller must be a phone number or anonymous' })
  caller!: string;

  @ApiProperty({ example: '74951112233', description: 'the line (DID) called' })
  @IsString() @Matches(/^\+?\d{3,32}$/, { message: 'did must be the digits of a line' })
  did!: string;

  @ApiPropertyOptional({ example: '2026-12-02T10:00:00+03:00', description: 'when (default: now)' })
  @IsOptional() @IsISO8601({ strict: true })
  at?: string;
}
