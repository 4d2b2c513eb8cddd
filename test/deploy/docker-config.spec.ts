/**
 * The compose setup (docker/asterisk) must give Asterisk the same AMI user and the same dialplan as
 * the files an admin copies by hand: a copy that drifts silently loses events (a filter line
 * missing there drops pickups or recordings from every call of a Docker installation).
 * No Asterisk runs here; the live suite (test/live) loads the shipped files themselves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/common/project-paths';

const ROOT = projectRoot();
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** The setting lines of one `[name]` section (comments and blank lines dropped). */
function section(text: string, name: string): string[] {
  const lines: string[] = [];
  let inside = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    if (!line) continue;
    if (/^\[[^\]]+\]/.test(line)) {
      inside = line.startsWith(`[${name}]`);
      continue;
    }
    if (inside) lines.push(line.replace(/\s*=\s*/, ' = '));
  }
  return lines;
}

/** What an admin is told to change: the secret and the addresses allowed in. */
const ADMIN_CHANGES = /^(secret|permit) = /;

describe('docker/asterisk matches the shipped Asterisk files', () => {
  it('manager.conf: the [switchboard] user is config/manager.conf.example (rights, filters), but the secret and permit lines', () => {
    const shipped = section(read('config/manager.conf.example'), 'switchboard');
    const docker = section(read('docker/asterisk/manager.conf'), 'switchboard');
    expect(shipped.length).toBeGreaterThan(20);
    expect(docker.filter((line) => !ADMIN_CHANGES.test(line))).toEqual(shipped.filter((line) => !ADMIN_CHANGES.test(line)));
    expect(docker.filter((line) => line.startsWith('secret = '))).toHaveLength(1);
    expect(docker).toContain('deny = 0.0.0.0/0.0.0.0');
  });

  it('the compose file mounts the shipped dialplan itself and the manager.conf checked above', () => {
    const compose = read('docker/docker-compose.yml');
    expect(compose).toContain('../dialplans/switchboard.conf:/etc/asterisk/switchboard.conf:ro');
    expect(compose).toContain('./asterisk/manager.conf:/etc/asterisk/manager.conf:ro');
    expect(read('docker/asterisk/extensions.conf')).toMatch(/^#include switchboard\.conf$/m);
  });
});
