import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { notFound } from '../common/domain-error';

/** The dashboard's files (src/pages/dashboard, next to the compiled code or the sources). */
function pageDir(): string {
  const candidates = [join(__dirname, '..', 'pages', 'dashboard'), join(__dirname, '..', '..', '..', 'src', 'pages', 'dashboard')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`dashboard page not found (looked in ${candidates.join(', ')})`);
  return found;
}

const ASSETS: Record<string, { file: () => string; type: string }> = {
  'dashboard.js': { file: () => join(pageDir(), 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { file: () => join(pageDir(), 'dashboard.css'), type: 'text/css; charset=utf-8' },
  // Served from the installed package: no CDN.
  'chart.umd.min.js': { file: () => join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
};

const SECURITY_HEADERS = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/**
 * Serves /dashboard (static HTML + vanilla JS; data from /api/stats with the user's bearer token,
 * which the page gets from /api/auth/login). The page itself needs no login; the API does.
 */
@ApiExcludeController()
@Public()
@Controller('dashboard')
export class DashboardPageController {
  private readonly cache = new Map<string, string>();

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', SECURITY_HEADERS)
  @Header('X-Content-Type-Options', 'nosniff')
  page(): string {
    return this.read('index.html', () => join(pageDir(), 'index.html'));
  }

  @Get('assets/:name')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('name') name: string, @Res({ passthrough: true }) res: Response): string {
    const asset = Object.prototype.hasOwnProperty.call(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) throw notFound('asset', name);
    res.setHeader('Content-Type', asset.type);
    return this.read(name, asset.file);
  }

  private read(key: string, file: () => string): string {
    let text = this.cache.get(key);
    if (text === undefined) {
      text = readFileSync(file(), 'utf8');
      this.cache.set(key, text);
    }
    return text;
  }
}
