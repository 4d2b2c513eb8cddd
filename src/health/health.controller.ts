import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';
import { LinkStatus } from './link-status';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: LinkStatus,
  ) {}

  /** 200 when the database answers; AMI state is reported (a PBX outage does not make the service unready). */
  @Public()
  @Get()
  async health(@Res({ passthrough: true }) response: Response): Promise<Record<string, unknown>> {
    const database = await this.dataSource
      .query('SELECT 1')
      .then(() => 'up' as const)
      .catch(() => 'down' as const);
    if (database === 'down') response.status(503);
    return { status: database === 'up' ? 'ok' : 'degraded', database, ami: this.links.ami() };
  }
}
