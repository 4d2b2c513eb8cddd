import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { AppConfig } from '../config';
import { pageSettingsScript } from './page-settings';

/** GET /page-settings.js: the pages' defaults from the service's configuration (the region, the first language). */
@ApiExcludeController()
@Public()
@Controller()
export class PageSettingsController {
  private readonly script: string;

  constructor(config: AppConfig) {
    this.script = pageSettingsScript(config.DEFAULT_REGION);
  }

  @Get('page-settings.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  settings(): string {
    return this.script;
  }
}
