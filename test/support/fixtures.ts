import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AMI_RECORDINGS_DIR } from '../../src/common/project-paths';
import { parseDirectory, type Directory } from '../../src/telephony/calls/directory';

/**
 * A file of the real Asterisk recordings the repository carries (test/fixtures/ami, README there):
 * `<scenario>.ami`, `<scenario>.truth.json`, `lab-directory.json`, `live/…`. The one way tests name them.
 */
export const transcript = (name: string): string => join(AMI_RECORDINGS_DIR, name);

/** The lab PBX's directory file (people, devices, known callers, step names). */
export const LAB_DIRECTORY_FILE = transcript('lab-directory.json');

/** The lab directory as the production parser reads it. */
export function labDirectory(): Directory {
  return parseDirectory(JSON.parse(readFileSync(LAB_DIRECTORY_FILE, 'utf8')));
}
