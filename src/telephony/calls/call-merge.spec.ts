import { readFileSync } from 'node:fs';
import { transcript, labDirectory } from '../../../test/support/fixtures';
import { AmiFrameParser, type AmiMessage } from '../ami/ami-frame-parser';
import { isWorthStoring } from './call-reducer';
import { mergeCallEvents } from './call-merge';
import { rebuildStoredCall } from './rebuild';

const directory = labDirectory();
const burst = new AmiFrameParser().push(readFileSync(transcript('burst1_20_calls.ami'))).messages;
const LINKEDID = '1795335774.104';
const events = burst.filter((m) => m.Linkedid === LINKEDID && isWorthStoring(m, directory.stepVariable));
const full = rebuildStoredCall(LINKEDID, events, directory, null).record;

describe('merging a call written again (one rule for partial and full views)', () => {
  it('has a call to work on', () => {
    expect(events.length).toBeGreaterThan(40);
    expect(full).toMatchObject({ direction: 'inbound', disposition: 'answered', answeredBy: '200' });
  });

  it('the tail of the events seen again never replaces the full record', () => {
    const tail = events.slice(Math.floor(events.length / 2));
    expect(rebuildStoredCall(LINKEDID, tail, directory, null).record).not.toEqual(full);
    expect(mergeCallEvents(events, tail)).toEqual({ verdict: 'keep-stored', events });
  });

  it('the full events after a partial record replace it; the same events again are written again', () => {
    const head = events.slice(0, 20);
    expect(mergeCallEvents(head, events)).toEqual({ verdict: 'take-incoming', events });
    expect(mergeCallEvents(events, events.map((e) => ({ ...e })))).toMatchObject({ verdict: 'take-incoming' });
  });

  test.each([0.3, 0.5, 0.7])('two overlapping pieces (cut at %s) are merged in order and rebuild the full record', (fraction) => {
    const cut = Math.floor(events.length * fraction);
    const first = events.slice(0, cut + 5);
    const second = events.slice(cut - 5);
    const merged = mergeCallEvents(first, second);
    expect(merged.verdict).toBe('rebuild');
    expect(merged.events).toEqual(events);
    expect(mergeCallEvents(second, first).events).toEqual(events);
    expect(rebuildStoredCall(LINKEDID, merged.events, directory, null).record).toEqual(full);
  });

  it('list items without a Timestamp keep their place', () => {
    const item: AmiMessage = { Event: 'CoreShowChannel', Uniqueid: LINKEDID, Linkedid: LINKEDID, ActionID: 'r1' };
    const withItem = [...events.slice(0, 10), item, ...events.slice(10, 30)];
    const merged = mergeCallEvents(withItem, events.slice(5));
    expect(merged.events).toEqual([...events.slice(0, 10), item, ...events.slice(10)]);
  });
});
