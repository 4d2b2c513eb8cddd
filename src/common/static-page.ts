import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { Get, Header, Logger, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, notFound } from './domain-error';
import { projectRoot } from './project-paths';

/** Where the pages live: src/pages of the checkout, both under ts-jest (src/) and from the build (dist/src/). */
const PAGES_DIR = join(projectRoot(), 'src', 'pages');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** A file served under /<page>/assets/<name>: an absolute path, found by one of the helpers below. */
export type PageAsset = { readonly path: string };

/** A file of the page's own folder, src/pages/<page>/<file>. */
export const pageFile = (page: string, file: string): PageAsset => ({ path: join(PAGES_DIR, page, file) });
/** A file the pages share, src/pages/common/<file>. */
export const commonFile = (file: string): PageAsset => pageFile('common', file);
/** A file of an installed npm package, next to its entry point (e.g. chart.js's dist/chart.umd.min.js): no CDN. */
export const packageFile = (pkg: string, file: string): PageAsset => ({ path: join(dirname(require.resolve(pkg)), file) });

/** Every page's shared scripts and styles (DOM helpers, login, language switch), served by each page under its own /assets/. */
export const COMMON_ASSETS: Readonly<Record<string, PageAsset>> = {
  'dom.js': commonFile('dom.js'),
  'i18n.js': commonFile('i18n.js'),
  'session.js': commonFile('session.js'),
  'common.css': commonFile('common.css'),
};

/**
 * Content-Security-Policy of a page: its own scripts and styles only, no inline code, not framed.
 * `connectSrc`: more sources for fetch and WebSocket (the desk's socket.io needs `ws:`/`wss:`).
 */
export function pageCsp(connectSrc: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...connectSrc].join(' '),
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface StaticPageOptions {
  /** Files under /<page>/assets/ besides the common ones: name → file. Content type from the extension (.js, .css). */
  readonly assets: Readonly<Record<string, PageAsset>>;
  /** More connect-src sources of the page's CSP. */
  readonly connectSrc?: readonly string[];
}

/**
 * A page under src/pages/<name> (plain HTML/CSS/JS, no build step, no CDN): index.html, its assets
 * and the common ones, read once and kept. A missing file is logged with its path and is a 503.
 */
export class StaticPage {
  private readonly logger = new Logger(StaticPage.name);
  private readonly assets: Readonly<Record<string, PageAsset>>;
  private readonly files = new Map<string, string>();
  readonly csp: string;

  constructor(
    readonly name: string,
    options: StaticPageOptions,
  ) {
    this.assets = { ...COMMON_ASSETS, ...options.assets };
    this.csp = pageCsp(options.connectSrc);
    for (const [asset, file] of Object.entries(this.assets)) {
      if (!CONTENT_TYPES[extname(file.path)]) throw new Error(`page ${name}: asset ${asset} (${file.path}) has no known content type`);
    }
  }

  /** index.html with the page's CSP. */
  html(response: Response): string {
    response.setHeader('Content-Security-Policy', this.csp);
    return this.read(pageFile(this.name, 'index.html').path);
  }

  /** An asset of the page with its content type; any other name is a 404. */
  asset(name: string, response: Response): string {
    const file = Object.hasOwn(this.assets, name) ? this.assets[name] : undefined;
    if (!file) throw notFound('asset', name);
    const text = this.read(file.path);
    response.type(CONTENT_TYPES[extname(file.path)]);
    return text;
  }

  private read(path: string): string {
    let text = this.files.get(path);
    if (text === undefined) {
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        this.logger.error(`page ${this.name}: ${path} is not readable (${error instanceof Error ? error.message : String(error)}); is the checkout complete?`);
        throw new DomainError('unavailable', `page ${this.name} is missing a file`);
      }
      this.files.set(path, text);
    }
    return text;
  }
}

/**
 * The two routes of a page: GET /<route> (index.html) and GET /<route>/assets/:name. A page
 * controller extends it with @Controller(route) and names its StaticPage.
 */
export abstract class StaticPageController {
  protected abstract readonly page: StaticPage;

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  index(@Res({ passthrough: true }) response: Response): string {
    return this.page.html(response);
  }

  @Get('assets/:name')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('name') name: string, @Res({ passthrough: true }) response: Response): string {
    return this.page.asset(name, response);
  }
}
