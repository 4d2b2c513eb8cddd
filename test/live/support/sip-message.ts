/**
 * SIP messages over UDP (RFC 3261), as much as desk phones and a trunk need: parse, build,
 * headers, URIs, digest authentication (RFC 2617/7616 MD5 with qop=auth), SDP offer/answer.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface SipMessage {
  /** Request method, or null for a response. */
  method: string | null;
  /** Request-URI of a request. */
  uri: string;
  status: number;
  reason: string;
  /** Header values by lower-case name, in order; compact forms expanded. */
  headers: Map<string, string[]>;
  body: string;
}

const COMPACT: Record<string, string> = {
  v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type', k: 'supported', s: 'subject', r: 'refer-to', b: 'referred-by', e: 'content-encoding', o: 'event', u: 'allow-events',
};

export function parseSip(text: string): SipMessage | null {
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const body = split >= 0 ? text.slice(split + 4) : '';
  const lines = head.split('\r\n');
  const start = lines.shift() ?? '';
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    if (/^\s/.test(line) && headers.size > 0) continue; // folded lines: not sent by Asterisk
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    let name = line.slice(0, colon).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    const value = line.slice(colon + 1).trim();
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  const response = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  if (response) return { method: null, uri: '', status: Number(response[1]), reason: response[2], headers, body };
  const request = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(start);
  if (request) return { method: request[1], uri: request[2], status: 0, reason: '', headers, body };
  return null;
}

export function header(message: SipMessage, name: string): string {
  return message.headers.get(name.toLowerCase())?.[0] ?? '';
}

export function headers(message: SipMessage, name: string): string[] {
  return message.headers.get(name.toLowerCase()) ?? [];
}

export function cseqOf(message: SipMessage): { seq: number; method: string } {
  const [seq, method] = header(message, 'cseq').split(/\s+/);
  return { seq: Number(seq), method: method ?? '' };
}

/** `tag` parameter of a From/To value. */
export function tagOf(value: string): string {
  return /;\s*tag=([^;>\s]+)/i.exec(value)?.[1] ?? '';
}

/** The URI inside `<…>` of a name-addr (or the bare URI before any parameters). */
export function uriOf(value: string): string {
  const angle = /<([^>]*)>/.exec(value);
  if (angle) return angle[1];
  return value.split(';')[0].trim();
}

/** The display name of a From/To/Contact value: `"Remstroy — Alexey" <sip:…>` → `Remstroy — Alexey`. */
export function displayNameOf(value: string): string {
  const quoted = /^\s*"((?:[^"\\]|\\.)*)"\s*</.exec(value);
  if (quoted) return quoted[1].replace(/\\(.)/g, '$1');
  const bare = /^\s*([^<"]+?)\s*</.exec(value);
  return bare ? bare[1] : '';
}

/** The user part of a SIP URI (`sip:101@127.0.0.1:5060` → `101`). */
export function userOf(uri: string): string {
  return /^sips?:([^@;>]+)@/.exec(uriOf(uri))?.[1] ?? '';
}

/** host:port of a SIP URI, for sending to it. */
export function hostPortOf(uri: string): { host: string; port: number } {
  const match = /^sips?:(?:[^@]+@)?([^:;>]+)(?::(\d+))?/.exec(uriOf(uri));
  return { host: match?.[1] ?? '127.0.0.1', port: Number(match?.[2] ?? 5060) };
}

export function newTag(): string {
  return randomBytes(6).toString('hex');
}

export function newBranch(): string {
  return `z9hG4bK${randomBytes(8).toString('hex')}`;
}

export function newCallId(): string {
  return `${randomBytes(10).toString('hex')}@127.0.0.1`;
}

export interface Outgoing {
  start: string;
  headers: [string, string][];
  body?: string;
}

export function serialize(message: Outgoing): string {
  const body = message.body ?? '';
  const lines = [message.start, ...message.headers.map(([name, value]) => `${name}: ${value}`)];
  if (body) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** A response to `request`, copying Via, From, To (with our tag), Call-ID and CSeq. */
export function responseTo(request: SipMessage, status: number, reason: string, toTag: string | null, extra: [string, string][] = [], body?: string): Outgoing {
  const to = header(request, 'to');
  const tagged = toTag && !tagOf(to) ? `${to};tag=${toTag}` : to;
  return {
    start: `SIP/2.0 ${status} ${reason}`,
    headers: [
      ...headers(request, 'via').map((via): [string, string] => ['Via', via]),
      ['From', header(request, 'from')],
      ['To', tagged],
      ['Call-ID', header(request, 'call-id')],
      ['CSeq', header(request, 'cseq')],
      ...extra,
    ],
    body,
  };
}

/** An SDP offer or answer for one PCMU/PCMA audio stream on `port` (nobody listens there but us). */
export function sdp(port: number, sessionId: number): string {
  return [
    'v=0',
    `o=- ${sessionId} ${sessionId} IN IP4 127.0.0.1`,
    's=switchboard live test',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** The Authorization value answering a `WWW-Authenticate`/`Proxy-Authenticate: Digest …` challenge. */
export function digestAuthorization(challenge: string, method: string, uri: string, username: string, password: string, nc = 1): string {
  const params = new Map<string, string>();
  for (const match of challenge.replace(/^Digest\s+/i, '').matchAll(/([a-z0-9_-]+)=(?:"([^"]*)"|([^,\s]+))/gi)) {
    params.set(match[1].toLowerCase(), match[2] ?? match[3]);
  }
  const realm = params.get('realm') ?? '';
  const nonce = params.get('nonce') ?? '';
  const opaque = params.get('opaque');
  const qop = (params.get('qop') ?? '').split(',').map((q) => q.trim()).includes('auth') ? 'auth' : null;
  const ha1 = md5(`${username}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const cnonce = randomBytes(8).toString('hex');
  const ncText = nc.toString(16).padStart(8, '0');
  const response = qop ? md5(`${ha1}:${nonce}:${ncText}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  const fields = [`username="${username}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`, `response="${response}"`, 'algorithm=MD5'];
  if (opaque !== undefined) fields.push(`opaque="${opaque}"`);
  if (qop) fields.push(`qop=${qop}`, `nc=${ncText}`, `cnonce="${cnonce}"`);
  return `Digest ${fields.join(', ')}`;
}
