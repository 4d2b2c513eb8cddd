/**
 * Presence (pure): who can take a call right now, from AMI device events.
 *
 * - `DeviceStateChange` (Device, State) — the aggregated device state Asterisk keeps per device
 *   (`PJSIP/101`): NOT_INUSE, INUSE, BUSY, RINGING, RINGINUSE, ONHOLD, UNAVAILABLE, INVALID, UNKNOWN.
 *   `DeviceStateList` answers with the same events (resync after a reconnect).
 * - `ExtensionStatus` (Exten, Context, Hint `PJSIP/101&…`, Status/StatusText) — hint state; applied
 *   to the hint's devices when the hint names exactly one device.
 * - `ContactStatus` (EndpointName/AOR, ContactStatus) — PJSIP registration: `Removed`/`Unreachable`
 *   make `PJSIP/<endpoint>` offline, `Created`/`Reachable` bring it back (as NOT_INUSE when it was
 *   offline; a known busy state is kept).
 *
 * A person is busy when any of their devices is in use, offline when every device is known to be
 * unreachable, available otherwise (no information is not a reason to leave a phone silent).
 */
import type { AmiMessage } from '../ami/ami-frame-parser';

export const DEVICE_STATES = ['NOT_INUSE', 'INUSE', 'BUSY', 'RINGING', 'RINGINUSE', 'ONHOLD', 'UNAVAILABLE', 'INVALID', 'UNKNOWN'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

export type PersonPresence = 'available' | 'busy' | 'offline';

/** Device name (case as Asterisk writes it) → last known state. Treat as immutable. */
export type PresenceState = ReadonlyMap<string, DeviceState>;

export const EMPTY_PRESENCE: PresenceState = new Map();

const BUSY_STATES: ReadonlySet<DeviceState> = new Set(['INUSE', 'BUSY', 'RINGINUSE', 'ONHOLD']);
const OFFLINE_STATES: ReadonlySet<DeviceState> = new Set(['UNAVAILABLE', 'INVALID']);

/** ExtensionStatus `Status` codes (ast_extension_states). */
const EXTENSION_STATUS: Record<string, DeviceState> = {
  '-2': 'INVALID',
  '-1': 'INVALID',
  '0': 'NOT_INUSE',
  '1': 'INUSE',
  '2': 'BUSY',
  '4': 'UNAVAILABLE',
  '8': 'RINGING',
  '9': 'RINGINUSE',
  '16': 'ONHOLD',
  '17': 'ONHOLD',
};

function asDeviceState(value: string | undefined): DeviceState | null {
  const upper = (value ?? '').trim().toUpperCase();
  return (DEVICE_STATES as readonly string[]).includes(upper) ? (upper as DeviceState) : null;
}

function withState(state: PresenceState, device: string, next: DeviceState): PresenceState {
  if (state.get(device) === next) return state;
  const copy = new Map(state);
  copy.set(device, next);
  return copy;
}

/** Applies one AMI message; returns the same object when nothing changed. Unknown events are ignored. */
export function reducePresence(state: PresenceState, message: AmiMessage): PresenceState {
  switch (message.Event) {
    case 'DeviceStateChange': {
      const device = message.Device?.trim();
      const next = asDeviceState(message.State);
      return device && next ? withState(state, device, next) : state;
    }
    case 'ExtensionStatus': {
      const hint = (message.Hint ?? '').trim();
      const next = EXTENSION_STATUS[(message.Status ?? '').trim()];
      if (!hint || hint.includes('&') || !next || !hint.includes('/')) return state;
      return withState(state, hint, next);
    }
    case 'ContactStatus': {
      const endpoint = (message.EndpointName ?? message.AOR ?? '').trim();
      if (!endpoint) return state;
      const device = `PJSIP/${endpoint}`;
      const status = (message.ContactStatus ?? '').trim().toLowerCase();
      if (status === 'removed' || status === 'unreachable') return withState(state, device, 'UNAVAILABLE');
      if (status === 'created' || status === 'reachable') {
        const current = state.get(device);
        return current === undefined || OFFLINE_STATES.has(current) ? withState(state, device, 'NOT_INUSE') : state;
      }
      return state;
    }
    default:
      return state;
  }
}

/** Busy if any device is in use; offline if every device is known unreachable; else available. */
export function personPresence(devices: readonly string[], state: PresenceState): PersonPresence {
  if (devices.length === 0) return 'available';
  let offline = 0;
  for (const device of devices) {
    const current = state.get(device);
    if (current === undefined) continue;
    if (BUSY_STATES.has(current)) return 'busy';
    if (OFFLINE_STATES.has(current)) offline++;
  }
  return offline === devices.length ? 'offline' : 'available';
}
