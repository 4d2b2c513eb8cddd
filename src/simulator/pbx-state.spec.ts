import { readFileSync } from 'node:fs';
import { transcript } from '../../test/support/fixtures';
import { AmiFrameParser, type AmiMessage } from '../telephony/ami/ami-frame-parser';
import { formatDuration, PbxState } from './pbx-state';

const messagesOf = (path: string): AmiMessage[] => new AmiFrameParser().push(readFileSync(transcript(path))).messages;
const byUniqueid = (a: AmiMessage, b: AmiMessage): number => a.Uniqueid.localeCompare(b.Uniqueid);
const itemFields = ({ Event: _event, ActionID: _id, ...fields }: AmiMessage): AmiMessage => ({ ...fields });

describe('PbxState against a real Asterisk 22.10.1 (live/core_show_channels.ami)', () => {
  const messages = messagesOf('live/core_show_channels.ami');
  const answerAt = (id: string): number => messages.findIndex((m) => m.Response === 'Success' && m.ActionID === id);
  const itemsOf = (id: string): AmiMessage[] => messages.filter((m) => m.Event === 'CoreShowChannel' && m.ActionID === id).map(itemFields);

  it('lists exactly what Asterisk listed, field for field and in its field order, from the events before the list', () => {
    const state = new PbxState();
    for (const message of messages.slice(0, answerAt('c-1'))) state.apply(message);
    const asteriskClock = Number(messages[answerAt('p-2')].Timestamp);
    const real = itemsOf('c-1');
    expect(real).toHaveLength(8);
    expect(real.some((item) => item.BridgeId !== '')).toBe(true);
    const ours = state.coreShowChannels(asteriskClock);
    expect([...ours].sort(byUniqueid)).toEqual([...real].sort(byUniqueid));
    for (const item of ours) expect(Object.keys(item)).toEqual(Object.keys(real[0]));
  });

  it('lists nothing once every channel hung up, as Asterisk did', () => {
    const state = new PbxState();
    for (const message of messages.slice(0, answerAt('c-2'))) state.apply(message);
    expect(itemsOf('c-2')).toEqual([]);
    expect(state.coreShowChannels(0)).toEqual([]);
  });
});

describe('PbxState on the recordings', () => {
  it('at every point of the 20-call burst, lists exactly the channels created and not yet hung up', () => {
    const events = messagesOf('burst1_20_calls.ami').filter((m) => m.Event !== undefined);
    const state = new PbxState();
    const alive = new Set<string>();
    let checked = 0;
    events.forEach((event, index) => {
      state.apply(event);
      if (event.Event === 'Newchannel') alive.add(event.Uniqueid);
      if (event.Event === 'Hangup') alive.delete(event.Uniqueid);
      if (index % 97 !== 0) return;
      expect(new Set(state.liveUniqueids())).toEqual(alive);
      checked++;
    });
    expect(checked).toBeGreaterThan(40);
    expect(state.liveUniqueids()).toEqual([]);
  });

  it('shows each channel as its newest event does (state, caller, connected line, dialplan position)', () => {
    const events = messagesOf('burst1_20_calls.ami').filter((m) => m.Event !== undefined);
    const cut = 2000;
    const state = new PbxState();
    const newest = new Map<string, AmiMessage>();
    for (const event of events.slice(0, cut)) {
      state.apply(event);
      if (event.Uniqueid && event.ChannelState !== undefined) newest.set(event.Uniqueid, event);
    }
    const items = state.coreShowChannels(Number(events[cut - 1].Timestamp));
    expect(items.length).toBeGreaterThan(5);
    for (const item of items) {
      const last = newest.get(item.Uniqueid);
      expect(last).toBeDefined();
      // a later Dest…/LocalOne… snapshot may be newer than the channel's own last event
      for (const field of ['Channel', 'Linkedid', 'Language', 'AccountCode'] as const) expect(item[field]).toBe(last?.[field]);
      expect(item.ChannelStateDesc).toMatch(/^(Down|Ring|Ringing|Up|Busy)$/);
      expect(item.Duration).toMatch(/^00:00:\d\d$/);
    }
    // a manager's phone that rings shows Asterisk's AppDial, as the real lists do
    expect(items.some((item) => item.ChannelState === '5' && item.Application === 'AppDial' && item.ApplicationData === '(Outgoing Line)')).toBe(true);
  });

  it('keeps a channel alive since before the recording began, and never revives a hung-up one', () => {
    const state = new PbxState();
    const snapshot = {
      Channel: 'PJSIP/trunk-0000000a',
      ChannelState: '6',
      ChannelStateDesc: 'Up',
      CallerIDNum: '+79161234567',
      CallerIDName: '<unknown>',
      ConnectedLineNum: '101',
      ConnectedLineName: '<unknown>',
      Language: 'en',
      AccountCode: '',
      Context: 'from-pstn',
      Exten: '74951112233',
      Priority: '9',
      Uniqueid: '1795336000.10',
      Linkedid: '1795336000.10',
    };
    state.apply({ Event: 'VarSet', Timestamp: '1795336030.5', ...snapshot, Variable: 'X', Value: 'y' });
    expect(state.coreShowChannels(1795336030.5)).toEqual([
      { ...snapshot, Application: '', ApplicationData: '', Duration: '00:00:30', BridgeId: '' },
    ]);
    state.apply({ Event: 'Hangup', ...snapshot, Cause: '16' });
    state.apply({ Event: 'BridgeLeave', ...snapshot, BridgeUniqueid: 'b' });
    expect(state.coreShowChannels(0)).toEqual([]);
  });

  it('keeps the last state of each SIP device (DeviceStateList), leaving Local channel devices out as Asterisk does', () => {
    const state = new PbxState();
    const events = messagesOf('j_sip_known_responsible_answers.ami');
    for (const event of events) state.apply(event);
    const lastState = new Map<string, string>();
    for (const event of events) if (event.Event === 'DeviceStateChange' && !event.Device.startsWith('Local/')) lastState.set(event.Device, event.State);
    expect(lastState.size).toBeGreaterThan(0);
    expect(state.deviceStates()).toEqual([...lastState].map(([Device, State]) => ({ Device, State })));
  });
});

test.each([
  [0, '00:00:00'],
  [2.9, '00:00:02'],
  [61, '00:01:01'],
  [3600 * 25 + 5, '25:00:05'],
  [-3, '00:00:00'],
])('formatDuration(%p) = %s', (seconds, text) => {
  expect(formatDuration(seconds)).toBe(text);
});
