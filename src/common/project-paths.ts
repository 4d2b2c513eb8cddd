import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The checkout's top folder: the nearest parent of this file with switchboard's package.json (works from src/ under ts-jest and from dist/). */
export function projectRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'switchboard') return dir;
    if (dirname(dir) === dir) throw new Error(`switchboard's package.json not found above ${start}`);
  }
}

/** Real Asterisk 22.10.1 AMI recordings with their truth files, carried by the repository (test/fixtures/ami/README.md). */
export const AMI_RECORDINGS_DIR = join(projectRoot(), 'test', 'fixtures', 'ami');

/** switchboard's version, from package.json (the OpenAPI document and /health show it). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
