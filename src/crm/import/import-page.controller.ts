import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../auth/roles.decorator';
import { PAGE_CSP, StaticPage } from '../../common/static-page';

/**
 * Serves /import: the client-base import screen for admins and heads of sales (choose a file,
 * upload, watch the job, read the report). The page logs in with the REST API; the page itself
 * needs no login, its API calls do.
 */
@ApiExcludeController()
@Public()
@Controller('import')
export class ImportPageController {
  private readonly files = new StaticPage('import', {
    'import.js': 'text/javascript; charset=utf-8',
    'import.css': 'text/css; charset=utf-8',
  });

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return this.files.html();
  }

  @Get('assets/:name')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('name') name: string, @Res({ passthrough: true }) response: Response): string {
    return this.files.asset(name, response);
  }
}
