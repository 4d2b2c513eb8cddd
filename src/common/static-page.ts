import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'express';
import { notFound } from './domain-error';
import { projectRoot } from './project-paths';

/** Content-Security-Policy of a page: its own scripts and styles only, no inline code, not framed. */
export const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * A page under src/pages/<name> (plain HTML/CSS/JS, no build step, no CDN): index.html and the
 * listed assets (name → content type), read once and kept.
 */
export class StaticPage {
  private readonly dir: string;
  private readonly files = new Map<string, string>();

  constructor(
    name: string,
    private readonly assets: Readonly<Record<string, string>>,
  ) {
    this.dir = join(projectRoot(), 'src', 'pages', name);
  }

  html(): string {
    return this.read('index.html');
  }

  /** An asset of the page with its content type; any other name is a 404. */
  asset(name: string, response: Response): string {
    const type = Object.hasOwn(this.assets, name) ? this.assets[name] : undefined;
    if (!type) throw notFound('asset', name);
    response.type(type);
    return this.read(name);
  }

  private read(name: string): string {
    let text = this.files.get(name);
    if (text === undefined) {
      text = readFileSync(join(this.dir, name), 'utf8');
      this.files.set(name, text);
    }
    return text;
  }
}
