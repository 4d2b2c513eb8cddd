import type { AmiMessage } from './ami-frame-parser';

/** Events the call tracker reads (of Newexten only VoiceMail()); everything else is noise to it (DeviceStateChange…). */
export const TRACKED_EVENT_NAMES = [
  'Newchannel',
  'NewCallerid',
  'NewConnectedLine',
  'Newstate',
  'DialBegin',
  'DialState',
  'DialEnd',
  'VarSet',
  'Hangup',
  'HangupRequest',
  'SoftHangupRequest',
  'BridgeEnter',
  'BridgeLeave',
  'LocalBridge',
  'BlindTransfer',
  'AttendedTransfer',
  'Pickup',
  'UnParkedCall',
  'Newexten',
  'OriginateResponse',
  'Cdr',
  'Rename',
  'MixMonitorStart',
  'CoreShowChannel',
  'CoreShowChannelsComplete',
  'QueueCallerJoin',
  'QueueCallerLeave',
  'QueueCallerAbandon',
] as const;

export type TrackedEventName = (typeof TRACKED_EVENT_NAMES)[number];

/** Header names Asterisk puts on every channel-scoped event (a "channel snapshot"). */
export type ChannelField =
  | 'Channel'
  | 'ChannelState'
  | 'ChannelStateDesc'
  | 'CallerIDNum'
  | 'CallerIDName'
  | 'ConnectedLineNum'
  | 'ConnectedLineName'
  | 'Context'
  | 'Exten'
  | 'Priority'
  | 'Uniqueid'
  | 'Linkedid';

/** The same snapshot of the other party of a Dial event (`Dest*`). */
export type DestChannelField = `Dest${ChannelField}`;

/** Fields per tracked event beyond the channel snapshot (as Asterisk 22 sends them). */
export interface AmiEventFields {
  Newchannel: ChannelField;
  NewCallerid: ChannelField | 'CID-CallingPres';
  NewConnectedLine: ChannelField;
  Newstate: ChannelField;
  DialBegin: ChannelField | DestChannelField | 'DialString';
  DialState: ChannelField | DestChannelField | 'DialStatus';
  DialEnd: ChannelField | DestChannelField | 'DialStatus' | 'Forward';
  VarSet: ChannelField | 'Variable' | 'Value';
  Hangup: ChannelField | 'Cause' | 'Cause-txt';
  HangupRequest: ChannelField | 'Cause';
  SoftHangupRequest: ChannelField | 'Cause';
  BridgeEnter: ChannelField | 'BridgeUniqueid' | 'BridgeType' | 'BridgeNumChannels';
  BridgeLeave: ChannelField | 'BridgeUniqueid' | 'BridgeNumChannels';
  LocalBridge: `LocalOne${ChannelField}` | `LocalTwo${ChannelField}` | 'Context' | 'Exten';
  BlindTransfer:
    | 'Result'
    | 'Extension'
    | 'Context'
    | `Transferer${ChannelField}`
    | `Transferee${ChannelField}`
    | 'BridgeUniqueid';
  AttendedTransfer:
    | 'Result'
    | `OrigTransferer${ChannelField}`
    | `SecondTransferer${ChannelField}`
    | `Transferee${ChannelField}`
    | `TransferTarget${ChannelField}`
    | 'DestType'
    | 'DestBridgeUniqueid';
  Pickup: ChannelField | `Target${ChannelField}`;
  UnParkedCall: `Parkee${ChannelField}` | `Retriever${ChannelField}` | 'ParkingSpace' | 'Parkinglot';
  /** Only Application VoiceMail is read (and let through by the recommended filter). */
  Newexten: ChannelField | 'Extension' | 'Application' | 'AppData';
  OriginateResponse: 'ActionID' | 'Response' | 'Reason' | 'Channel' | 'Context' | 'Exten' | 'Uniqueid' | 'CallerIDNum';
  Cdr: 'Channel' | 'UniqueID' | 'Disposition' | 'Source' | 'Destination' | 'BillableSeconds' | 'Duration';
  Rename: 'Channel' | 'Newname' | 'Uniqueid' | 'Linkedid';
  MixMonitorStart: ChannelField;
  CoreShowChannel: ChannelField | 'ActionID' | 'Application' | 'ApplicationData' | 'Duration' | 'BridgeId';
  CoreShowChannelsComplete: 'ActionID' | 'EventList' | 'ListItems';
  /** app_queue: the caller's channel entered a queue (Position in it, Count of callers waiting). */
  QueueCallerJoin: ChannelField | 'Queue' | 'Position' | 'Count';
  /** The caller's channel left the queue, whatever the reason (answered, hung up, timeout, empty). */
  QueueCallerLeave: ChannelField | 'Queue' | 'Position' | 'Count';
  /** The caller hung up while waiting in the queue (always followed by its QueueCallerLeave). */
  QueueCallerAbandon: ChannelField | 'Queue' | 'Position' | 'OriginalPosition' | 'HoldTime';
}

/** A tracked event with its header names typed; values stay strings as on the wire. */
export type AmiEvent<N extends TrackedEventName = TrackedEventName> = {
  readonly Event: N;
  readonly Timestamp?: string;
} & { readonly [K in AmiEventFields[N]]?: string };

const TRACKED = new Set<string>(TRACKED_EVENT_NAMES);

/** The `Event:` header, or null for responses and junk. */
export function eventName(message: AmiMessage): string | null {
  const name = message.Event;
  return typeof name === 'string' && name.length > 0 ? name : null;
}

export function isTrackedEvent(message: AmiMessage): message is AmiMessage & AmiEvent {
  const name = eventName(message);
  return name !== null && TRACKED.has(name);
}

/** Narrows a message to one event type. */
export function isEvent<N extends TrackedEventName>(message: AmiMessage, name: N): message is AmiMessage & AmiEvent<N> {
  return message.Event === name;
}

/** `Timestamp: 1795335530.903211` → epoch seconds; null when absent or not a number. */
export function eventTimestamp(message: AmiMessage): number | null {
  const raw = message.Timestamp;
  if (raw === undefined || raw === '') return null;
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** A header value, with Asterisk's `<unknown>` and empty strings turned into null. */
export function known(value: string | undefined): string | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' || trimmed === '<unknown>' ? null : trimmed;
}

/** Integer header (ChannelState, Cause…), or null. */
export function intField(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isInteger(n) ? n : null;
}

/** Uniqueid of the channel an event is about (Cdr spells it `UniqueID`). */
export function uniqueidOf(message: AmiMessage): string | null {
  return known(message.Uniqueid ?? message.UniqueID);
}

/** `HH:MM:SS` (CoreShowChannel Duration) → seconds, or null. */
export function durationSeconds(value: string | undefined): number | null {
  if (!value) return null;
  const match = /^(\d+):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) return null;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

/** Asterisk channel states (ChannelState header). */
export const ChannelStateCode = {
  Down: 0,
  Reserved: 1,
  OffHook: 2,
  Dialing: 3,
  Ring: 4,
  Ringing: 5,
  Up: 6,
  Busy: 7,
} as const;
