import type { AmiMessage } from '../telephony/ami/ami-frame-parser';
import { CRLF2 } from './recording';

/**
 * The exact bytes a real Asterisk 22.10.1 answers with (test/fixtures/ami/k_*.ami and
 * test/fixtures/ami/live/*.ami). Pure.
 */

/** `Response: <kind>` [+ `ActionID`] + lines, terminated. Asterisk leaves ActionID out when the action had none. */
export function response(kind: 'Success' | 'Error' | 'Goodbye', actionId: string | undefined, lines: string[]): string {
  const head = actionId === undefined ? [`Response: ${kind}`] : [`Response: ${kind}`, `ActionID: ${actionId}`];
  return [...head, ...lines].join('\r\n') + CRLF2;
}

export const loginAccepted = (actionId: string | undefined): string => response('Success', actionId, ['Message: Authentication accepted']);

/** Wrong user or secret: Asterisk answers this (after a second) and closes the connection (k_login_failed.ami). */
export const loginFailed = (actionId: string | undefined): string => response('Error', actionId, ['Message: Authentication failed']);

/** Any action but Login/Logoff/Challenge before a successful Login (live/pre_login.ami). */
export const permissionDenied = (actionId: string | undefined): string => response('Error', actionId, ['Message: Permission denied']);

/** A message without `Action:` (live/pre_login.ami, live/action_responses.ami). */
export const missingAction = (actionId: string | undefined): string => response('Error', actionId, ['Message: Missing action in request']);

/** An action name Asterisk does not know (k_action_responses.ami). */
export const unknownAction = (actionId: string | undefined, name: string): string =>
  response('Error', actionId, [`Message: Invalid/unknown command: ${name}. Use Action: ListCommands to show available commands.`]);

export const goodbye = (actionId: string | undefined): string => response('Goodbye', actionId, ['Message: Thanks for all the fish.']);

/** Asterisk's clock as Ping shows it: `<epoch>.<µs>`. */
export const ping = (actionId: string | undefined, nowMs: number): string =>
  response('Success', actionId, ['Ping: Pong', `Timestamp: ${(nowMs / 1000).toFixed(6)}`]);

/** The answer to `Action: Events` (any mask but off turns events on). */
export const eventsAnswer = (actionId: string | undefined, on: boolean): string => response('Success', actionId, [`Events: ${on ? 'On' : 'Off'}`]);

export interface ListShape {
  /** `Message:` of the response, e.g. `Channels will follow`. */
  message: string;
  /** `Event:` of each item, e.g. `CoreShowChannel`. */
  item: string;
  /** `Event:` of the closing event, e.g. `CoreShowChannelsComplete`. */
  complete: string;
}

export const CORE_SHOW_CHANNELS: ListShape = { message: 'Channels will follow', item: 'CoreShowChannel', complete: 'CoreShowChannelsComplete' };
export const DEVICE_STATE_LIST: ListShape = { message: 'Device State Changes will follow', item: 'DeviceStateChange', complete: 'DeviceStateListComplete' };

/** A list answer: the response with `EventList: start`, one event per item (ActionID second), the Complete event. */
export function listAnswer(shape: ListShape, actionId: string | undefined, items: readonly AmiMessage[]): string {
  const aid = actionId === undefined ? [] : [`ActionID: ${actionId}`];
  const out = [response('Success', actionId, ['EventList: start', `Message: ${shape.message}`])];
  for (const item of items) {
    const fields = Object.entries(item).map(([key, value]) => `${key}: ${value}`);
    out.push([`Event: ${shape.item}`, ...aid, ...fields].join('\r\n') + CRLF2);
  }
  out.push([`Event: ${shape.complete}`, ...aid, 'EventList: Complete', `ListItems: ${items.length}`].join('\r\n') + CRLF2);
  return out.join('');
}

/** The recorded login response of the capture client, with the new client's ActionID (or none). */
export function withActionId(block: string, actionId: string | undefined): string {
  const text =
    actionId === undefined
      ? block.replace(/^ActionID:[^\r\n]*\r\n/m, '')
      : block.replace(/^ActionID:[^\r\n]*/m, () => `ActionID: ${actionId}`);
  return text + CRLF2;
}

/**
 * A session's event mask from `Events:` of Login or `EventMask:` of the Events action: null = every
 * class, an empty set = none, else the classes (`call,cdr`). Asterisk's words: on/yes/all, off/no.
 */
export function parseEventMask(value: string | undefined): Set<string> | null {
  const text = (value ?? 'on').trim().toLowerCase();
  if (text === '' || text === 'on' || text === 'yes' || text === 'all' || text === 'true') return null;
  if (text === 'off' || text === 'no' || text === 'false' || text === '0') return new Set();
  if (/^-?\d+$/.test(text)) return null; // a numeric mask: treated as everything
  const classes = new Set(text.split(',').map((c) => c.trim()).filter(Boolean));
  return classes.has('all') ? null : classes;
}

/** Whether an event block reaches a session with this mask (by its `Privilege:` classes, as Asterisk does). */
export function maskAllows(mask: Set<string> | null, block: string): boolean {
  if (mask === null) return true;
  if (mask.size === 0) return false;
  const match = /^Privilege: ([^\r\n]*)/m.exec(block);
  if (!match) return true;
  return match[1].split(',').some((c) => c !== 'all' && mask.has(c.trim().toLowerCase()));
}
