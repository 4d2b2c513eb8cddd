import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseReplayArgs, runReplay } from './replay';
import { transcript, LAB_DIRECTORY_FILE } from '../../test/support/fixtures';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function replay(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runReplay(args, stdout, stderr);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('npm run replay', () => {
  it('prints one JSON array with one object per call, logs on stderr only', async () => {
    const { code, stdout, stderr } = await replay(['--directory', LAB_DIRECTORY_FILE, transcript('burst1_20_calls.ami')]);
    expect(code).toBe(0);
    const calls = JSON.parse(stdout) as Record<string, unknown>[];
    expect(calls).toHaveLength(20);
    for (const call of calls) {
      expect(Object.keys(call)).toEqual(
        expect.arrayContaining([
          'linkedid',
          'direction',
          'caller',
          'did',
          'answeredBy',
          'disposition',
          'abandoned',
          'stepReached',
          'stepIndex',
          'ringSeconds',
          'talkSeconds',
          'legs',
        ]),
      );
    }
    expect(calls.filter((c) => c.disposition === 'answered')).toHaveLength(13);
    expect(calls.filter((c) => c.abandoned)).toHaveLength(5);
    expect(stderr).toContain('20 call(s)');
  });

  it('treats several files as successive connections of one link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const text = readFileSync(transcript('a_known_responsible_answers.ami'), 'latin1');
    const messages = text.slice(text.indexOf('\r\n') + 2).split('\r\n\r\n').filter(Boolean);
    const cut = Math.floor(messages.length / 2);
    const banner = 'Asterisk Call Manager/11.0.0\r\n';
    writeFileSync(join(dir, 'one.ami'), banner + messages.slice(0, cut).map((m) => `${m}\r\n\r\n`).join(''), 'latin1');
    writeFileSync(join(dir, 'two.ami'), banner + messages.slice(cut).map((m) => `${m}\r\n\r\n`).join(''), 'latin1');
    const split = await replay(['--directory', LAB_DIRECTORY_FILE, join(dir, 'one.ami'), join(dir, 'two.ami')]);
    const whole = await replay(['--directory', LAB_DIRECTORY_FILE, transcript('a_known_responsible_answers.ami')]);
    expect(split.code).toBe(0);
    expect(JSON.parse(split.stdout)).toEqual(JSON.parse(whole.stdout));
  });

  test.each([
    [['--directory', LAB_DIRECTORY_FILE, '/nonexistent/file.ami'], 'recording not found: /nonexistent/file.ami'],
    [['--directory', '/nonexistent/dir.json', transcript('a_known_responsible_answers.ami')], 'directory file not found'],
    [[transcript('a_known_responsible_answers.ami')], 'missing --directory'],
    [['--directory', LAB_DIRECTORY_FILE], 'no recording given'],
    [['--directory'], '--directory needs a file'],
    [['--bogus'], 'unknown option --bogus'],
  ])('%j fails with a clear message', async (args, message) => {
    const { code, stdout, stderr } = await replay(args);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });

  it('rejects a directory that is not valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    writeFileSync(join(dir, 'bad.json'), '{"users": [{"extension": 101, "role": "king"}]}');
    writeFileSync(join(dir, 'broken.json'), '{not json');
    const ami = transcript('a_known_responsible_answers.ami');
    const bad = await replay(['--directory', join(dir, 'bad.json'), ami]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('users[0].role');
    const broken = await replay([`--directory=${join(dir, 'broken.json')}`, ami]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('not valid JSON');
  });

  it('parses --directory=<file> and ignores a bare --', () => {
    expect(parseReplayArgs(['--', '--directory=x.json', 'a.ami'])).toEqual({ directoryPath: 'x.json', files: ['a.ami'] });
  });
});
