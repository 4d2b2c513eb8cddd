import { CSV_LANGUAGES, type CsvLanguage } from '../csv-headers';
import { ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { CSV_SEPARATORS, type CsvSeparatorName } from '../csv';
import { DRILL_METRICS, type DrillMetric } from '../stats.queries';

/** A local date (midnight in TIMEZONE), a local time, or an instant with an offset. */
const PERIOD_BOUND = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;
const PERIOD_MESSAGE = 'must be YYYY-MM-DD (midnight in the company time zone), YYYY-MM-DDTHH:MM[:SS] (local) or an ISO 8601 instant with offset';

export class StatsQueryDto {
  @ApiPropertyOptional({ description: 'Start of the period, inclusive. Default: the current month (company time zone).', example: '2026-11-01' })
  @IsOptional() @IsString() @Matches(PERIOD_BOUND, { message: `from ${PERIOD_MESSAGE}` })
  from?: string;

  @ApiPropertyOptional({ description: 'End of the period, exclusive (give both from and to, or neither).', example: '2026-12-01' })
  @IsOptional() @IsString() @Matches(PERIOD_BOUND, { message: `to ${PERIOD_MESSAGE}` })
  to?: string;

  @ApiPropertyOptional({ description: 'Only calls on this line (DID)' })
  @IsOptional() @IsString() @MaxLength(40) @Matches(/^\+?\d+$/, { message: 'did must be digits' })
  did?: string;

  @ApiPropertyOptional({ description: 'Only calls involving people of this department (and only them in the per-person table)' })
  @IsOptional() @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ description: 'Only calls involving this person (and only them in the per-person table)' })
  @IsOptional() @IsUUID()
  userId?: string;
}

export const DRILL_METRIC_NAMES = Object.keys(DRILL_METRICS) as DrillMetric[];
export const MAX_DRILL_PAGE = 500;
export const MAX_EXPORT_ROWS = 100_000;

export class StatsCallsQueryDto extends StatsQueryDto {
  @ApiPropertyOptional({ enum: DRILL_METRIC_NAMES, default: 'all', description: 'Which number to open; user_* need userId' })
  @IsOptional() @IsIn(DRILL_METRIC_NAMES)
  metric?: DrillMetric;

  @ApiPropertyOptional({ description: 'Step reached (responsible, department, head_of_sales, ceo, owner, voicemail, none)' })
  @IsOptional() @IsString() @MaxLength(40) @Matches(/^[a-z_]+$/, { message: 'step must be a step name' })
  step?: string;

  @ApiPropertyOptional({ description: 'Local day YYYY-MM-DD' })
  @IsOptional() @IsString() @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'day must be YYYY-MM-DD' })
  day?: string;

  @ApiPropertyOptional({ description: 'ISO weekday, 1 = Monday' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(7)
  dow?: number;

  @ApiPropertyOptional({ description: 'Hour of day 0–23 (company time zone)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(23)
  hour?: number;

  @ApiPropertyOptional({ default: 100, maximum: MAX_DRILL_PAGE })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_DRILL_PAGE)
  limit?: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(10_000_000)
  offset?: number;
}

const SEPARATOR_NAMES = Object.keys(CSV_SEPARATORS) as CsvSeparatorName[];
const SEP_DESCRIPTION = 'Cell separator: `;` (default where numbers have a decimal comma, e.g. DEFAULT_REGION=RU: Russian Excel), `,` or `tab`';

const LANG_DESCRIPTION = 'column titles in this language (the dashboard sends its own); without it the machine names (started_at, …)';

export class StatsExportQueryDto extends StatsQueryDto {
  @ApiPropertyOptional({ enum: SEPARATOR_NAMES, description: SEP_DESCRIPTION })
  @IsOptional() @IsIn(SEPARATOR_NAMES)
  sep?: CsvSeparatorName;

  @ApiPropertyOptional({ enum: CSV_LANGUAGES, description: LANG_DESCRIPTION })
  @IsOptional() @IsIn(CSV_LANGUAGES)
  lang?: CsvLanguage;
}

export class StatsCallsExportQueryDto extends StatsCallsQueryDto {
  @ApiPropertyOptional({ enum: SEPARATOR_NAMES, description: SEP_DESCRIPTION })
  @IsOptional() @IsIn(SEPARATOR_NAMES)
  sep?: CsvSeparatorName;

  @ApiPropertyOptional({ enum: CSV_LANGUAGES, description: LANG_DESCRIPTION })
  @IsOptional() @IsIn(CSV_LANGUAGES)
  lang?: CsvLanguage;
}

export const DEFAULT_ANSWERED_WITHIN = 20;

/** The per-queue statistics: a period, a line, and the service level's threshold. */
export class QueueStatsQueryDto extends PickType(StatsQueryDto, ['from', 'to', 'did'] as const) {
  @ApiPropertyOptional({ default: DEFAULT_ANSWERED_WITHIN, minimum: 1, maximum: 3600, description: 'Service level threshold: answered within this many seconds of joining the queue' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(3600)
  answeredWithin?: number;
}
