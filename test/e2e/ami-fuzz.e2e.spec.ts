/**
 * Fuzzing the AMI ingestion (issue 12): random mutations of the real recordings — byte flips,
 * frames cut short, dropped, duplicated and reordered, NUL and bytes that are not UTF-8 in
 * values, junk frames, streams cut off — fed to a real service process over AMI TCP for a
 * bounded time. Each round is one recording with its IDs rewritten (new calls); some of its calls
 * are "touched" (every mutation lands in frames that are theirs alone, and a mutated frame may
 * name no other call), the others are left alone and must be recorded exactly as their truth file
 * says. The process must survive and its memory stay bounded (RSS and heap sampled from /metrics).
 *
 * Seeded and reproducible: FUZZ_SEED (default 12), FUZZ_SECONDS (default 20 s in `npm test`;
 * e.g. FUZZ_SECONDS=600 for a long run). The counts are printed at the end.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { parseMessageText } from '../../src/telephony/ami/ami-frame-parser';
import { AmiSimulator } from '../../src/simulator/ami-simulator';
import { rewriteBlock } from '../../src/simulator/rewrite';
import { amiEnv, metric, recordingBlocks, useLabCalls, storedCalls, truthMismatches, truthOf, type TruthCall } from '../support/lab';
import { until } from '../support/until';
import { rawByte, rawBytesProxy, type RawBytesProxy } from '../support/raw-bytes-proxy';
import { RECORDINGS } from '../support/recorded-calls';
import { freePort } from '../support/own-database';
import { LiveService } from '../live/support/live-service';
import { testDatabaseUrl } from '../support/test-database';

const SEED = Number(process.env.FUZZ_SEED ?? 12);
const BUDGET_MS = Number(process.env.FUZZ_SECONDS ?? 20) * 1000;
const ROUNDS_PER_BATCH = 6;
const HEAP_LIMIT_BYTES = 256 * 1024 * 1024;
const RSS_LIMIT_BYTES = 640 * 1024 * 1024;

/** mulberry32: a small seeded PRNG (the run is reproducible from FUZZ_SEED). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  name: string;
  banner: string;
  login: string;
  /** Event blocks (each ends with CRLF CRLF). */
  blocks: string[];
  /** Linkedids each block is about (through its Uniqueid/Linkedid-like values). */
  callsOf: Set<string>[];
  truth: TruthCall[];
}

const ID = /\d{6,}\.\d+/g;

function loadScenario(name: string): Scenario {
  const { banner, blocks: all } = recordingBlocks(name);
  const [login, ...blocks] = all;
  const owner = new Map<string, string>();
  for (const block of blocks) {
    const message = parseMessageText(block.replace(/\r\n\r\n$/, '')) ?? {};
    if (message.Uniqueid && message.Linkedid) owner.set(message.Uniqueid, message.Linkedid);
    if (message.DestUniqueid && message.DestLinkedid) owner.set(message.DestUniqueid, message.DestLinkedid);
  }
  const linkedids = new Set(owner.values());
  const callsOf = blocks.map((block) => {
    const calls = new Set<string>();
    for (const token of block.match(ID) ?? []) {
      const call = linkedids.has(token) ? token : owner.get(token);
      if (call) calls.add(call);
    }
    return calls;
  });
  return { name, banner, login, blocks, callsOf, truth: truthOf(name) };
}

/** Round n of a recording: new ids (generation n), the recorded clock — the simulator's own rule. */
const roundOf = (n: number): { generation: number; shiftSeconds: number } => ({ generation: n, shiftSeconds: 0 });

/** `1795335530.4` as rewritten for round n. */
function rewrittenId(id: string, n: number): string {
  return rewriteBlock(`Linkedid: ${id}`, roundOf(n)).slice('Linkedid: '.length);
}

type MutationKind = 'flip' | 'cut' | 'drop' | 'duplicate' | 'reorder' | 'nul' | 'not-utf8' | 'junk-frame' | 'stream-cut';

interface Round {
  n: number;
  scenario: Scenario;
  data: string;
  frames: number;
  untouched: TruthCall[];
  touched: string[];
  mutations: Partial<Record<MutationKind, number>>;
}

/** One round: the scenario with IDs of round n, some calls touched by mutations, the rest untouched. */
function buildRound(scenario: Scenario, n: number, random: () => number): Round {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const allCalls = [...new Set(scenario.callsOf.flatMap((calls) => [...calls]))];
  const touched = new Set(allCalls.filter(() => random() < (allCalls.length > 1 ? 0.4 : 0.5)));
  const mutations: Partial<Record<MutationKind, number>> = {};
  const count = (kind: MutationKind): void => {
    mutations[kind] = (mutations[kind] ?? 0) + 1;
  };
  let blocks = scenario.blocks.map((block) => rewriteBlock(block, roundOf(n)));
  let owners = scenario.callsOf;
  // A stream cut off: whatever comes after is never sent; the calls it holds are touched.
  if (random() < 0.15) {
    const at = 1 + Math.floor(random() * (blocks.length - 1));
    for (const calls of owners.slice(at)) for (const call of calls) touched.add(call);
    blocks = blocks.slice(0, at);
    owners = owners.slice(0, at);
    count('stream-cut');
  }
  const touchedIds = new Set<string>();
  for (const [i, block] of blocks.entries()) {
    if ([...owners[i]].every((call) => touched.has(call))) for (const token of block.match(ID) ?? []) touchedIds.add(token);
  }
  const safe = (text: string): boolean => (text.match(ID) ?? []).every((token) => touchedIds.has(token));
  const mutable = (i: number): boolean => owners[i].size > 0 && [...owners[i]].every((call) => touched.has(call));

  const out: string[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    if (random() < 0.004) {
      // junk between frames: random bytes, a header-looking line, never an id
      const junk = Array.from({ length: 1 + Math.floor(random() * 60) }, () =>
        random() < 0.3 ? rawByte(0x80 + Math.floor(random() * 128)) : String.fromCharCode(32 + Math.floor(random() * 95)),
      ).join('');
      const frame = `${random() < 0.5 ? 'Event: Junk\r\n' : ''}${junk}\r\n\r\n`;
      if (safe(frame)) {
        out.push(frame);
        count('junk-frame');
      }
    }
    if (!mutable(i) || random() > 0.1) {
      out.push(block);
      continue;
    }
    const kind = pick<MutationKind>(['flip', 'flip', 'cut', 'drop', 'duplicate', 'reorder', 'nul', 'not-utf8']);
    const body = block.slice(0, -4);
    let mutated: string | null = null;
    switch (kind) {
      case 'flip': {
        const at = Math.floor(random() * body.length);
        const byte = 1 + Math.floor(random() * 255);
        mutated = body.slice(0, at) + (byte < 0x80 ? String.fromCharCode(byte) : rawByte(byte)) + body.slice(at + 1) + '\r\n\r\n';
        break;
      }
      case 'cut':
        mutated = `${body.slice(0, Math.floor(random() * body.length))}\r\n\r\n`;
        break;
      case 'drop':
        mutated = '';
        break;
      case 'duplicate':
        mutated = block + block;
        break;
      case 'reorder':
        if (i + 1 < blocks.length && mutable(i + 1)) {
          out.push(blocks[i + 1]);
          mutated = block;
          i++;
        }
        break;
      case 'nul':
      case 'not-utf8': {
        const lines = body.split('\r\n');
        const line = Math.floor(random() * lines.length);
        const colon = lines[line].indexOf(': ');
        if (colon > 0) {
          const at = colon + 2 + Math.floor(random() * (lines[line].length - colon - 1));
          const inserted =
            kind === 'nul'
              ? '\u0000'
              : Array.from({ length: 1 + Math.floor(random() * 4) }, () => rawByte(0x80 + Math.floor(random() * 128))).join('');
          lines[line] = lines[line].slice(0, at) + inserted + lines[line].slice(at);
          mutated = `${lines.join('\r\n')}\r\n\r\n`;
        }
        break;
      }
    }
    if (mutated === null || !safe(mutated)) {
      out.push(block);
      continue;
    }
    out.push(mutated);
    count(kind);
  }
  const untouched = scenario.truth.filter((call) => !touched.has(call.linkedid)).map((call) => ({ ...call, linkedid: rewrittenId(call.linkedid, n) }));
  return {
    n,
    scenario,
    data: scenario.banner + scenario.login + out.join(''),
    frames: out.length,
    untouched,
    touched: [...touched].map((id) => rewrittenId(id, n)),
    mutations,
  };
}

describe('AMI fuzz (mutated real recordings → service process over TCP → Postgres)', () => {
  const lab = useLabCalls();
  let dataSource: DataSource;
  let service: LiveService | null = null;
  let proxy: RawBytesProxy | null = null;
  let server: { port: number; close(): Promise<void> } | null = null;

  beforeAll(() => {
    dataSource = lab.dataSource;
  });

  afterEach(async () => {
    // before the lab's hooks clear the tables: a service still writing would deadlock the TRUNCATE
    const running = service;
    if (running?.running) {
      running.signal('SIGKILL');
      await until('the service to exit', () => running.exit, 10_000);
    }
    await proxy?.close();
    await server?.close();
  });

  it(`survives, records every untouched call exactly and stays bounded in memory (seed ${SEED}, ${BUDGET_MS / 1000} s)`, async () => {
    const random = prng(SEED);
    const scenarios = RECORDINGS.map(loadScenario);
    const chooseScenario = (): Scenario =>
      random() < 0.25 ? (scenarios.find((s) => s.name === 'burst1_20_calls') as Scenario) : scenarios[Math.floor(random() * scenarios.length)];
    const batch = (): { rounds: Round[]; replay: AmiSimulator } => {
      const rounds = Array.from({ length: ROUNDS_PER_BATCH }, () => buildRound(chooseScenario(), ++n, random));
      return { rounds, replay: new AmiSimulator({ recordings: rounds.map((round) => ({ name: `round ${round.n}`, data: round.data })), betweenRecordings: 'continue' }) };
    };
    let n = 0;
    let current = batch();
    server = await current.replay.listen(0);
    proxy = await rawBytesProxy(server.port);
    // A heap limit: a leak would end the process (and the test) instead of swapping the machine.
    service = new LiveService(await freePort(), {
      DATABASE_URL: testDatabaseUrl(),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-fuzz-')),
      LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'error',
      NODE_OPTIONS: `--max-old-space-size=${HEAP_LIMIT_BYTES / 1024 / 1024 + 64}`,
      ...amiEnv(proxy.port),
    });
    await service.start();
    const live = service;
    const scrape = async (): Promise<string> => {
      const response = await fetch(`${live.url}/metrics`);
      return response.text();
    };

    const totals = { rounds: 0, batches: 0, frames: 0, bytes: 0, calls: 0, touched: 0, untouchedChecked: 0, mutations: {} as Record<string, number> };
    const memory: { rssMb: number; heapMb: number; callsActive: number }[] = [];
    const mismatches: string[] = [];
    const started = Date.now();
    for (;;) {
      const { rounds, replay } = current;
      await until('the batch served', () => replay.remainingEvents === 0, 120_000);
      const expected = rounds.flatMap((round) => round.untouched);
      const rows = await until(
        'the untouched calls stored',
        async () => {
          const found = await storedCalls(dataSource, expected.map((call) => call.linkedid));
          return found.length === expected.length ? found : null;
        },
        60_000,
      ).catch(() => storedCalls(dataSource, expected.map((call) => call.linkedid)));
      for (const call of expected) mismatches.push(...truthMismatches(rows.find((row) => row.linkedid === call.linkedid), call));
      expect(live.running).toBe(true);
      const text = await scrape();
      memory.push({
        rssMb: Math.round(metric(text, 'process_resident_memory_bytes') / 2 ** 20),
        heapMb: Math.round(metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20),
        callsActive: metric(text, 'calls_active'),
      });
      totals.batches++;
      for (const round of rounds) {
        totals.rounds++;
        totals.frames += round.frames;
        totals.bytes += Buffer.byteLength(round.data);
        totals.calls += round.untouched.length + round.touched.length;
        totals.touched += round.touched.length;
        totals.untouchedChecked += round.untouched.length;
        for (const [kind, k] of Object.entries(round.mutations)) totals.mutations[kind] = (totals.mutations[kind] ?? 0) + (k ?? 0);
      }
      if (mismatches.length > 0 || Date.now() - started >= BUDGET_MS) break;
      // The next batch on a new server: the service sees its link drop and reconnects (a resync with an empty list closes what was left open).
      current = batch();
      const next = await current.replay.listen(0);
      proxy.target(next.port);
      await server.close();
      server = next;
    }
    const [{ stored }] = (await dataSource.query('SELECT count(*)::int AS stored FROM calls')) as { stored: number }[];
    const [{ parked }] = (await dataSource.query('SELECT count(*)::int AS parked FROM calls_dead_letter')) as { parked: number }[];
    const range = (values: number[]): { first: number; max: number; last: number } => ({ first: values[0], max: Math.max(...values), last: values[values.length - 1] });
    const summary = {
      seed: SEED,
      seconds: Math.round((Date.now() - started) / 1000),
      ...totals,
      storedRows: stored,
      parked,
      memory: { samples: memory.length, rssMb: range(memory.map((m) => m.rssMb)), heapMb: range(memory.map((m) => m.heapMb)), callsActiveMax: Math.max(...memory.map((m) => m.callsActive)) },
    };
    process.stdout.write(`AMI fuzz: ${JSON.stringify(summary)}\n`);
    if (process.env.FUZZ_LOG_LEVEL) process.stdout.write(`${live.logs.filter((line) => line.level !== 'log').slice(-40).map((line) => `${line.level} ${line.context}: ${line.msg}`).join('\n')}\n`);

    expect(mismatches).toEqual([]);
    expect(live.running).toBe(true);
    expect((await fetch(`${live.url}/health/live`)).status).toBe(200);
    expect(Object.values(totals.mutations).reduce((a, b) => a + b, 0)).toBeGreaterThan(totals.rounds);
    for (const sample of memory) {
      expect(sample.heapMb * 2 ** 20).toBeLessThan(HEAP_LIMIT_BYTES);
      expect(sample.rssMb * 2 ** 20).toBeLessThan(RSS_LIMIT_BYTES);
    }
    // Bounded, not growing with the traffic: the last third of the run uses no more than the first third plus a margin.
    if (memory.length >= 6) {
      const third = Math.floor(memory.length / 3);
      const peak = (samples: typeof memory): number => Math.max(...samples.map((m) => m.rssMb));
      expect(peak(memory.slice(-third))).toBeLessThan(peak(memory.slice(0, third)) + 64);
    }
  }, BUDGET_MS + 240_000);
});
