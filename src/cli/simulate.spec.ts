import { createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import { parseSimulateArgs, startSimulate } from './simulate';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('npm run simulate: the command line', () => {
  it("has sensible defaults (the switchboard's default AMI user, port 5038, real time) and reads every option", () => {
    expect(parseSimulateArgs(['--', 'burst1_20_calls.ami'])).toEqual({
      files: ['burst1_20_calls.ami'],
      port: 5038,
      host: '127.0.0.1',
      speed: 1,
      rounds: 1,
      user: 'switchboard',
      secret: 'simulator',
      secretGiven: false,
      clients: 1,
    });
    expect(parseSimulateArgs(['a.ami', '--port=6000', '--speed', '0.5', '--loop', '--user', 'u', '--secret=s', '--clients', '2', 'b.ami', '--host', '0.0.0.0'])).toEqual({
      files: ['a.ami', 'b.ami'],
      port: 6000,
      host: '0.0.0.0',
      speed: 0.5,
      rounds: Infinity,
      user: 'u',
      secret: 's',
      secretGiven: true,
      clients: 2,
    });
    expect(parseSimulateArgs(['a.ami', '--rounds', '3'])).toMatchObject({ rounds: 3 });
  });

  test.each([
    [['--speed', 'fast', 'a.ami'], '--speed must be a number ≥ 0'],
    [['--speed', '-1', 'a.ami'], '--speed must be a number ≥ 0'],
    [['--port', '70000', 'a.ami'], '--port must be 0…65535'],
    [['--rounds', '0', 'a.ami'], '--rounds must be a whole number ≥ 1'],
    [['--clients', 'x', 'a.ami'], '--clients must be a whole number ≥ 1'],
    [['--secret'], '--secret needs a value'],
    [['--bogus', 'a.ami'], 'unknown option --bogus'],
    [[], 'no recording given'],
    [['/nonexistent/file.ami'], 'recording not found: /nonexistent/file.ami'],
  ])('%j fails with a clear message and the usage', async (args, message) => {
    const stderr = new Sink();
    expect(await startSimulate(args, stderr)).toBe(2);
    expect(stderr.text).toContain(message);
  });

  it('says so when the port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const stderr = new Sink();
    try {
      expect(await startSimulate(['--port', String(port), 'burst1_20_calls.ami'], stderr)).toBe(1);
      expect(stderr.text).toContain(`cannot listen on 127.0.0.1:${port}: port ${port} is in use`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('starts with one clear line: where, which login, what it plays, how fast, how many rounds', async () => {
    const stderr = new Sink();
    const started = await startSimulate(['--port', '0', '--speed', '4', '--loop', 'burst1_20_calls', 'a_known_responsible_answers.ami'], stderr);
    if (typeof started === 'number') throw new Error(stderr.text);
    try {
      expect(stderr.text.trim().split('\n')).toHaveLength(1);
      expect(stderr.text).toContain(`simulated PBX on 127.0.0.1:${started.port} (AMI user "switchboard", secret "simulator")`);
      expect(stderr.text).toMatch(/recordings: burst1_20_calls\.ami \(\d+ events over 48 s\), a_known_responsible_answers\.ami \(\d+ events over 9 s\); speed 4; loop;/);
    } finally {
      await started.close();
    }
  });
});
