import { readFileSync } from 'node:fs';
import { AmiFrameParser, type AmiMessage } from '../ami/ami-frame-parser';
import { EMPTY_PRESENCE, personPresence, reducePresence, type PresenceState } from './presence';
import { transcript } from '../../../test/support/fixtures';


function messagesOf(scenario: string): AmiMessage[] {
  return new AmiFrameParser().push(readFileSync(transcript(`${scenario}.ami`))).messages;
}

/** Presence after each DeviceStateChange of a device, as the reducer sees it. */
function timeline(scenario: string, devices: string[]): string[] {
  let state: PresenceState = EMPTY_PRESENCE;
  const seen: string[] = [];
  for (const message of messagesOf(scenario)) {
    const next = reducePresence(state, message);
    if (next !== state && message.Event === 'DeviceStateChange' && devices.includes(message.Device)) {
      seen.push(`${message.Device}:${personPresence([message.Device], next)}`);
    }
    state = next;
  }
  return seen;
}

describe('presence from recorded DeviceStateChange events', () => {
  it('a SIP phone rings (still available), is on the call (busy), hangs up (available again)', () => {
    expect(timeline('j_sip_known_responsible_answers', ['PJSIP/101'])).toEqual(['PJSIP/101:available', 'PJSIP/101:busy', 'PJSIP/101:available']);
  });

  it('while the responsible of a recorded call talks, the router sees them busy', () => {
    let state: PresenceState = EMPTY_PRESENCE;
    const during: string[] = [];
    for (const message of messagesOf('a_known_responsible_answers')) {
      state = reducePresence(state, message);
      if (message.Event === 'BridgeEnter') during.push(personPresence(['Local/101@managers'], state));
    }
    expect(during).toContain('busy');
    expect(personPresence(['Local/101@managers'], state)).toBe('available');
  });

  it.each(['burst1_20_calls', 'c_new_nobody_answers', 'h_anonymous_group_answers', 'j_sip_new_nobody_answers', 'f_click_to_call'])(
    'every phone is available again at the end of %s',
    (scenario) => {
      const final = messagesOf(scenario).reduce(reducePresence, EMPTY_PRESENCE);
      const phones = [...final.keys()].filter((device) => /^(PJSIP\/\d+|Local\/\d{3}@managers)$/.test(device));
      expect(phones.length).toBeGreaterThan(0);
      for (const phone of phones) expect(`${phone}:${personPresence([phone], final)}`).toBe(`${phone}:available`);
    },
  );

  it('ignores events it does not know and returns the same state object', () => {
    const state = reducePresence(EMPTY_PRESENCE, { Event: 'DeviceStateChange', Device: 'PJSIP/101', State: 'INUSE' });
    expect(reducePresence(state, { Event: 'Newchannel', Channel: 'PJSIP/101-00000001' })).toBe(state);
    expect(reducePresence(state, { Event: 'DeviceStateChange', Device: 'PJSIP/101', State: 'INUSE' })).toBe(state);
    expect(reducePresence(state, { Event: 'DeviceStateChange', Device: 'PJSIP/101', State: 'SOMETHING_NEW' })).toBe(state);
  });
});

describe('presence from hints and PJSIP registrations', () => {
  it.each([
    [[{ Event: 'ExtensionStatus', Exten: '101', Context: 'ext-local', Hint: 'PJSIP/101', Status: '1', StatusText: 'InUse' }], 'busy'],
    [[{ Event: 'ExtensionStatus', Exten: '101', Context: 'ext-local', Hint: 'PJSIP/101', Status: '4', StatusText: 'Unavailable' }], 'offline'],
    [[{ Event: 'ExtensionStatus', Exten: '101', Context: 'ext-local', Hint: 'PJSIP/101&Custom:DND101', Status: '1' }], 'available'],
    [[{ Event: 'ContactStatus', URI: 'sip:101@10.0.0.5:5060', ContactStatus: 'Removed', AOR: '101', EndpointName: '101' }], 'offline'],
    [
      [
        { Event: 'ContactStatus', ContactStatus: 'Unreachable', AOR: '101', EndpointName: '101' },
        { Event: 'ContactStatus', ContactStatus: 'Reachable', AOR: '101', EndpointName: '101' },
      ],
      'available',
    ],
    [
      [
        { Event: 'DeviceStateChange', Device: 'PJSIP/101', State: 'INUSE' },
        { Event: 'ContactStatus', ContactStatus: 'Reachable', AOR: '101', EndpointName: '101' },
      ],
      'busy',
    ],
  ])('%j → %s', (events, expected) => {
    const state = (events as AmiMessage[]).reduce(reducePresence, EMPTY_PRESENCE);
    expect(personPresence(['PJSIP/101'], state)).toBe(expected);
  });

  it('a person is offline only when every device is; busy when any device is', () => {
    const state = new Map([
      ['PJSIP/101', 'UNAVAILABLE'],
      ['PJSIP/101-mobile', 'NOT_INUSE'],
      ['PJSIP/102', 'UNAVAILABLE'],
      ['PJSIP/102-mobile', 'INUSE'],
    ] as const);
    expect(personPresence(['PJSIP/101', 'PJSIP/101-mobile'], state)).toBe('available');
    expect(personPresence(['PJSIP/101'], state)).toBe('offline');
    expect(personPresence(['PJSIP/102', 'PJSIP/102-mobile'], state)).toBe('busy');
    expect(personPresence(['PJSIP/999'], state)).toBe('available');
  });
});
