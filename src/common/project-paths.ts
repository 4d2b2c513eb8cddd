import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The checkout's top folder: the nearest parent of this file with switchboard's package.json (works from src/ under ts-jest and from dist/). */
export function projectRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && manifestField(manifest, 'name') === 'switchboard') return dir;
    if (dirname(dir) === dir) throw new Error(`switchboard's package.json not found above ${start}`);
  }
}

/** Real Asterisk 22.10.1 AMI recordings with their truth files, carried by the repository (test/fixtures/ami/README.md). */
export const AMI_RECORDINGS_DIR = join(projectRoot(), 'test', 'fixtures', 'ami');

/** switchboard's version, from package.json (the OpenAPI document and /health show it). */
export function packageVersion(): string {
  const file = join(projectRoot(), 'package.json');
  const version = manifestField(file, 'version');
  if (typeof version !== 'string') throw new Error(`${file}: no version`);
  return version;
}

/** One field of a package.json, unknown until the caller checks it. */
function manifestField(file: string, field: string): unknown {
  const manifest: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return typeof manifest === 'object' && manifest !== null ? Object.getOwnPropertyDescriptor(manifest, field)?.value : undefined;
}
