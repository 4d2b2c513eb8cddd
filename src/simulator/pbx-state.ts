import type { AmiMessage } from '../telephony/ami/ami-frame-parser';

/**
 * What the simulated PBX has alive at this point of the stream, built from the events as they pass:
 * the channels (for CoreShowChannels) and the device states (for DeviceStateList). No I/O.
 *
 * Every Asterisk channel event carries a snapshot of its channel (`Channel`, `ChannelState`, …,
 * `Linkedid`), and events about two channels carry a second one under a prefix (`DestUniqueid`,
 * `LocalOneChannel`, …); the newest snapshot of a channel is what Asterisk would list. On top of it:
 * the dialplan application from `Newexten` (`Application`/`AppData`; a dialed channel shows
 * `AppDial`/`(Outgoing Line)`, an originated one `AppDial2`), the bridge from `BridgeEnter`/
 * `BridgeLeave`, the creation time from `Newchannel`. A `Hangup` removes the channel.
 * (test/fixtures/ami/live/core_show_channels.ami is a real Asterisk's list next to the events that led to it.)
 */

/** The fields of a channel snapshot, in the order a CoreShowChannel item lists them. */
export const SNAPSHOT_FIELDS = [
  'Channel',
  'ChannelState',
  'ChannelStateDesc',
  'CallerIDNum',
  'CallerIDName',
  'ConnectedLineNum',
  'ConnectedLineName',
  'Language',
  'AccountCode',
  'Context',
  'Exten',
  'Priority',
  'Uniqueid',
  'Linkedid',
] as const;

interface LiveChannel {
  snapshot: Record<(typeof SNAPSHOT_FIELDS)[number], string>;
  application: string | null;
  applicationData: string;
  dialed: boolean;
  bridgeId: string;
  /** Epoch seconds. */
  createdAt: number | null;
}

/** Uniqueids hung up recently, so that a late event about one does not bring it back. */
const FORGET_AFTER = 20_000;

export class PbxState {
  private readonly channels = new Map<string, LiveChannel>();
  private readonly devices = new Map<string, string>();
  private readonly gone = new Set<string>();

  /** Applies one message of the stream (events; responses and unknown shapes change nothing). */
  apply(message: AmiMessage): void {
    const event = message.Event;
    if (event === undefined) return;
    if (event === 'DeviceStateChange' && message.Device) {
      this.devices.set(message.Device, message.State ?? '');
      return;
    }
    const timestamp = numberOr(message.Timestamp, null);
    if (event === 'Hangup') {
      if (message.Uniqueid) this.hangUp(message.Uniqueid);
      return;
    }
    for (const prefix of snapshotPrefixes(message)) this.update(message, prefix, event === 'Newchannel' && prefix === '' ? timestamp : null);
    const uid = message.Uniqueid;
    const channel = uid ? this.channels.get(uid) : undefined;
    switch (event) {
      case 'Newexten':
        if (channel) {
          channel.application = message.Application ?? '';
          channel.applicationData = message.AppData ?? '';
        }
        break;
      case 'CoreShowChannel': // a recorded list answer: the PBX's own view of the channel
        if (channel) {
          channel.application = message.Application ?? channel.application;
          channel.applicationData = message.ApplicationData ?? channel.applicationData;
          channel.bridgeId = message.BridgeId ?? channel.bridgeId;
        }
        break;
      case 'DialBegin': {
        const dest = message.DestUniqueid ? this.channels.get(message.DestUniqueid) : undefined;
        if (dest) dest.dialed = true;
        break;
      }
      case 'BridgeEnter':
        if (channel) channel.bridgeId = message.BridgeUniqueid ?? '';
        break;
      case 'BridgeLeave':
        if (channel) channel.bridgeId = '';
        break;
      case 'Rename':
        if (channel && message.Newname) channel.snapshot.Channel = message.Newname;
        break;
    }
  }

  /** Uniqueids of the channels alive now, in the order they appeared. */
  liveUniqueids(): string[] {
    return [...this.channels.keys()];
  }

  /**
   * The items of a CoreShowChannels answer (fields after `Event`/`ActionID`), as a real Asterisk 22
   * lists them; `Duration` is counted up to `nowSeconds` (epoch, the stream's clock).
   */
  coreShowChannels(nowSeconds: number): AmiMessage[] {
    return [...this.channels.values()].map((channel) => {
      const application = channel.application ?? (channel.dialed ? 'AppDial' : '');
      const applicationData = channel.application !== null ? channel.applicationData : channel.dialed ? '(Outgoing Line)' : '';
      return {
        ...channel.snapshot,
        Application: application,
        ApplicationData: applicationData,
        Duration: formatDuration(channel.createdAt === null ? 0 : nowSeconds - channel.createdAt),
        BridgeId: channel.bridgeId,
      };
    });
  }

  /**
   * The items of a DeviceStateList answer: the last state of every device seen in DeviceStateChange.
   * Local channel devices are left out, as Asterisk does (their state is not cached); a real
   * Asterisk also lists configured endpoints that never changed state, which a recording cannot show.
   */
  deviceStates(): AmiMessage[] {
    return [...this.devices.entries()].filter(([device]) => !device.startsWith('Local/')).map(([device, state]) => ({ Device: device, State: state }));
  }

  private update(message: AmiMessage, prefix: string, createdAt: number | null): void {
    const uid = message[`${prefix}Uniqueid`];
    if (this.gone.has(uid)) return;
    let channel = this.channels.get(uid);
    if (!channel) {
      // born here (Newchannel), or alive since before the recording began (its first event says so)
      channel = {
        snapshot: Object.fromEntries(SNAPSHOT_FIELDS.map((field) => [field, ''])) as LiveChannel['snapshot'],
        application: null,
        applicationData: '',
        dialed: false,
        bridgeId: '',
        createdAt: createdAt ?? numberOr(uid.split('.')[0], null),
      };
      this.channels.set(uid, channel);
    }
    for (const field of SNAPSHOT_FIELDS) {
      const value = message[`${prefix}${field}`];
      if (value !== undefined) channel.snapshot[field] = value;
    }
  }

  private hangUp(uid: string): void {
    this.channels.delete(uid);
    this.gone.add(uid);
    if (this.gone.size > FORGET_AFTER) this.gone.delete(this.gone.values().next().value as string);
  }
}

/** Prefixes under which a message carries a whole channel snapshot: '' (the channel), `Dest`, `LocalOne`, … */
function snapshotPrefixes(message: AmiMessage): string[] {
  const prefixes: string[] = [];
  for (const key of Object.keys(message)) {
    if (!key.endsWith('Uniqueid')) continue;
    const prefix = key.slice(0, -'Uniqueid'.length);
    if (message[`${prefix}Channel`] !== undefined && message[`${prefix}ChannelState`] !== undefined) prefixes.push(prefix);
  }
  return prefixes;
}

/** Seconds as Asterisk writes a channel's age: `HH:MM:SS`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(Math.floor(whole / 3600))}:${p(Math.floor((whole % 3600) / 60))}:${p(whole % 60)}`;
}

function numberOr(value: string | undefined, fallback: number | null): number | null {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}
