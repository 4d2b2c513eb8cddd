import { recordsOf } from '../../../test/support/recorded-calls';
import { voicemailBoxOf, type CallRecord } from './call-record';
import { CallRecordShapeError, parseCallRecord } from './call-record-json';
import { readableRecord } from './call-storage-text';

/** The record as Postgres gives it back from jsonb. */
const stored = (record: CallRecord): Record<string, unknown> => JSON.parse(JSON.stringify(readableRecord(record))) as Record<string, unknown>;

describe('parseCallRecord', () => {
  const records = recordsOf();

  it('reads back every record of the recordings exactly as the tracker built it', () => {
    expect(records.length).toBeGreaterThan(20);
    expect(records.some((record) => record.legs.length > 1 && record.hungUpBy !== null)).toBe(true);
    for (const record of records) expect(parseCallRecord(stored(record))).toEqual(readableRecord(record));
  });

  const record = records.find((r) => r.legs.length > 1) ?? records[0];
  const broken: [string, (json: Record<string, unknown>) => void, RegExp][] = [
    ['a missing field', (json) => delete json.disposition, /of call .+: disposition: expected one of answered, missed, got nothing \(the field is missing\)/],
    ['text where a number goes', (json) => (json.ringSeconds = '12'), /: ringSeconds: expected a number, got "12"/],
    ['an unknown direction', (json) => (json.direction = 'sideways'), /: direction: expected one of inbound, outbound, internal, got "sideways"/],
    ['a leg of another shape', (json) => ((json.legs as Record<string, unknown>[])[1].outcome = 'maybe'), /: legs\[1\]\.outcome: expected one of answered, no_answer/],
    ['legs that are no list', (json) => (json.legs = {}), /: legs: expected a list, got an object/],
    ['a queue stay of another shape', (json) => (json.queues = [{ name: 'sales', joinedAt: 1, leftAt: 2, outcome: 'gave_up', waitSeconds: 1, answeredBy: null }]), /: queues\[0\]\.outcome: expected one of answered, abandoned, left, got "gave_up"/],
    ['an unknown hung-up-by', (json) => (json.hungUpBy = 'manager:'), /: hungUpBy: expected caller, pbx, external or manager:<ext>, got "manager:"/],
    ['a voicemail message that is no text', (json) => (json.voicemailMessage = 7), /: voicemailMessage: expected text or null, got 7/],
  ];

  test.each(broken)('%s is an error naming the call and the field', (_label, breakIt, message) => {
    const json = stored(record);
    breakIt(json);
    expect(() => parseCallRecord(json)).toThrow(CallRecordShapeError);
    expect(() => parseCallRecord(json)).toThrow(message);
    expect(() => parseCallRecord(json)).toThrow(`of call ${record.linkedid}:`);
  });

  it('a record stored before voicemail messages were kept (no `voicemailMessage`) has none', () => {
    const json = stored(record);
    delete json.voicemailMessage;
    expect(parseCallRecord(json)).toEqual({ ...readableRecord(record), voicemailMessage: null });
  });

  it('a record stored before queues were tracked (no `queues`) met no queue', () => {
    const json = stored(record);
    delete json.queues;
    expect(parseCallRecord(json)).toEqual({ ...readableRecord(record), queues: [] });
  });

  it('legs stored by the first versions (no transfer, no missed) get the rule the CallLegsMissed migration froze', () => {
    const answered = records.find((r) => r.disposition === 'answered' && r.legs.some((leg) => leg.outcome === 'no_answer' && leg.step !== r.stepReached));
    if (!answered) throw new Error('no recording with a missed leg at another step');
    const json = stored(answered);
    for (const leg of json.legs as Record<string, unknown>[]) {
      delete leg.missed;
      delete leg.transfer;
    }
    const legs = parseCallRecord(json).legs;
    expect(legs.map((leg) => leg.transfer)).toEqual(answered.legs.map(() => false));
    expect(legs.map((leg) => leg.missed)).toEqual(
      answered.legs.map((leg) => ['no_answer', 'rejected', 'cancelled_caller_hung_up'].includes(leg.outcome) && leg.step !== answered.stepReached),
    );
    expect(legs.some((leg) => leg.missed)).toBe(true);
  });

  it('no object or no linkedid: says so', () => {
    expect(() => parseCallRecord(null)).toThrow('stored call record: record: expected an object, got null');
    expect(() => parseCallRecord({ ...stored(record), linkedid: 42 })).toThrow('stored call record: linkedid: expected text, got 42');
  });
});

describe('voicemailBoxOf', () => {
  it.each([
    ['/var/spool/asterisk/voicemail/default/101/INBOX/msg0000', '101@default'],
    ['/var/spool/asterisk/voicemail/sales/100/Old/msg0012', '100@sales'],
    ['/tmp/x/spool/voicemail/default/101/INBOX/msg0000.wav', null],
    ['msg0000', null],
  ])('%s → %s', (file, box) => expect(voicemailBoxOf(file)).toBe(box));
});
