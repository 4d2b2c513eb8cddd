import { transcript } from '../../test/support/fixtures';
import { loadRecording } from './recording';
import { AS_RECORDED, rewriteBlock, shiftToNow } from './rewrite';

const block = [
  'Event: DialBegin',
  'Channel: Local/74951112233@from-pstn-000000e3;2',
  'Uniqueid: 1795336311.479',
  'Linkedid: 1795336311.478',
  'DestChannel: PJSIP/101-0000002a',
  'DestUniqueid: 1795336311.480',
  'DestLinkedid: 1795336311.478',
  'Timestamp: 1795336311.653087',
  'BridgeUniqueid: 6a0f3a44-5b8e-4c61-9a39-0c6d8e2b1f00',
].join('\r\n');

describe('rewriteBlock', () => {
  it('leaves a block untouched as recorded', () => {
    expect(rewriteBlock(block, AS_RECORDED)).toBe(block);
  });

  it('moves ids, channel suffixes and bridge ids out of the way in a later generation, keeping the clock', () => {
    expect(rewriteBlock(block, { generation: 2, shiftSeconds: 0 }).split('\r\n')).toEqual([
      'Event: DialBegin',
      'Channel: Local/74951112233@from-pstn-020000e3;2',
      'Uniqueid: 1795336311.20000479',
      'Linkedid: 1795336311.20000478',
      'DestChannel: PJSIP/101-0200002a',
      'DestUniqueid: 1795336311.20000480',
      'DestLinkedid: 1795336311.20000478',
      'Timestamp: 1795336311.653087',
      expect.stringMatching(/^BridgeUniqueid: 6a0f3a44-5b8e-4c61-9a39-(?!0c6d8e2b1f00)[0-9a-f]{12}$/),
    ]);
  });

  test.each([
    ['Timestamp: 1795335774.358826', 'Timestamp: 1795422174.358826'],
    ['Uniqueid: 1795335774.103', 'Uniqueid: 1795422174.10000103'],
    ['UniqueID: 1795335774.103', 'UniqueID: 1795422174.10000103'],
    ['LocalTwoLinkedid: 1795335774.5', 'LocalTwoLinkedid: 1795422174.10000005'],
    ['StartTime: 2026-11-22 08:22:54', 'StartTime: 2026-11-23 08:22:54'],
    ['AnswerTime: 2026-12-31 23:59:59', 'AnswerTime: 2027-01-01 23:59:59'],
    ['AnswerTime: ', 'AnswerTime: '],
    ['EventTV: 2026-11-22T08:22:53.696+0000', 'EventTV: 2026-11-23T08:22:53.696+0000'],
    ['Value: PJSIP/101-00000007', 'Value: PJSIP/101-01000007'],
    ['Value: Local/400@managers-00000088;1', 'Value: Local/400@managers-01000088;1'],
    ['AppData: Local/101@managers,10', 'AppData: Local/101@managers,10'],
    ['CallerIDNum: +79161234567', 'CallerIDNum: +79161234567'],
    ['Cause: 16', 'Cause: 16'],
  ])('generation 1, one day later: %s → %s', (line, expected) => {
    expect(rewriteBlock(`Event: X\r\n${line}`, { generation: 1, shiftSeconds: 86_400 })).toBe(`Event: X\r\n${expected}`);
  });

  it('makes a whole recording new calls: every id fresh and consistent, the clock moved, nothing else changed', () => {
    const recording = loadRecording(transcript('burst1_20_calls.ami'));
    const now = 1_900_000_000.25;
    const shift = shiftToNow(recording.firstTimestamp, now);
    const rewrites = [
      { generation: 1, shiftSeconds: shift },
      { generation: 2, shiftSeconds: shift },
    ];
    const idsOf = (text: string): string[] => [...text.matchAll(/^[A-Za-z]*(?:Uniqueid|Linkedid): (\d+\.\d+)\r?$/gim)].map((m) => m[1]);
    const recordedIds = new Set(recording.blocks.flatMap((b) => idsOf(b.text)));
    const rewritable = /(Uniqueid|Linkedid|UniqueID|Channel|Timestamp|Time|TV|Value|Data)$/;
    const seen: Set<string>[] = [];
    for (const rewrite of rewrites) {
      const mapping = new Map<string, string>();
      const ids = new Set<string>();
      const problems: string[] = [];
      for (const { text, timestamp } of recording.blocks) {
        const out = rewriteBlock(text, rewrite);
        const before = text.split('\r\n');
        const after = out.split('\r\n');
        if (after.length !== before.length) problems.push(`lines changed in ${text.slice(0, 40)}`);
        for (let i = 0; i < before.length; i++) {
          if (before[i] === after[i]) continue;
          const key = before[i].slice(0, before[i].indexOf(':'));
          if (!after[i].startsWith(`${key}: `) || !rewritable.test(key)) problems.push(`${before[i]} → ${after[i]}`);
          const value = before[i].slice(key.length + 2);
          const now = after[i].slice(key.length + 2);
          if (mapping.has(value) && mapping.get(value) !== now) problems.push(`${value} → ${mapping.get(value)} and ${now}`);
          mapping.set(value, now);
        }
        for (const id of idsOf(out)) ids.add(id);
        const ts = /^Timestamp: (\S+)/m.exec(out)?.[1];
        if (timestamp !== null && Math.abs(Number(ts) - (timestamp + shift)) > 1e-6) problems.push(`Timestamp ${ts}`);
      }
      expect(problems).toEqual([]);
      expect([...ids].filter((id) => recordedIds.has(id))).toEqual([]);
      for (const earlier of seen) expect([...ids].filter((id) => earlier.has(id))).toEqual([]);
      expect(ids.size).toBe(recordedIds.size);
      seen.push(ids);
    }
    expect(Math.abs(recording.firstTimestamp! + shift - now)).toBeLessThanOrEqual(0.5);
  });
});
