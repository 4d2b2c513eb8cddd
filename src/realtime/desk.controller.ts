import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Logger, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { DomainError } from '../common/domain-error';

/** Files of the desk page (plain HTML/CSS/JS, no build step, no CDN). */
const ASSETS: Record<string, string> = {
  'desk.css': 'text/css; charset=utf-8',
  'desk.js': 'text/javascript; charset=utf-8',
};

/** src/pages/desk both from ts-jest (src/realtime) and from the build (dist/src/realtime). */
export function deskPageDir(): string {
  const candidates = [join(__dirname, '../pages/desk'), join(__dirname, '../../../src/pages/desk')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0];
}

/**
 * Serves the desk page at /desk. The page logs in with the REST API and keeps its token in
 * sessionStorage; the page itself needs no login. A strict CSP forbids inline scripts, so even a
 * rendering mistake could not run a caller's HTML.
 */
@ApiExcludeController()
@Public()
@Controller('desk')
export class DeskController {
  private readonly logger = new Logger(DeskController.name);
  private readonly files = new Map<string, string>();
  private readonly dir = deskPageDir();

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; frame-ancestors 'none'")
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return this.file('index.html');
  }

  @Get('assets/:name')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('name') name: string, @Res({ passthrough: true }) response: Response): string {
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) throw new DomainError('not_found', `no desk asset ${name}`);
    response.type(type);
    return this.file(name);
  }

  private file(name: string): string {
    let content = this.files.get(name);
    if (!content) {
      try {
        content = readFileSync(join(this.dir, name), 'utf8');
      } catch (error) {
        this.logger.error(`desk file ${name} not readable in ${this.dir}: ${error instanceof Error ? error.message : String(error)}`);
        throw new DomainError('unavailable', 'desk page files are missing');
      }
      this.files.set(name, content);
    }
    return content;
  }
}
