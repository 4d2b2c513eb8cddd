/**
 * A tiny model of the Asterisk dialplan — just what dialplans/switchboard.conf uses — to check
 * its syntax and walk it without a PBX: the extensions.conf grammar (contexts, `exten =>`,
 * `same =>`, priorities and labels), `${VAR}`/`${FUNC(args)}`/`${VAR:offset}` substitution,
 * `$[…]` expressions, and the applications and functions below with Asterisk's semantics
 * (CUT/FIELDQTY/FILTER/LEN/URIENCODE; While/EndWhile/ContinueWhile; GotoIf; Gosub/Return).
 * It is a test aid, not an Asterisk: a live PBX remains the final judge.
 */

export interface Priority {
  context: string;
  exten: string;
  priority: number;
  label: string | null;
  app: string;
  data: string;
  line: number;
}

export interface ParsedDialplan {
  contexts: Map<string, Map<string, Priority[]>>;
  problems: string[];
}

export const KNOWN_APPS = new Set([
  'NoOp', 'Set', 'GotoIf', 'Goto', 'Gosub', 'Return', 'While', 'EndWhile', 'ContinueWhile', 'ExitWhile', 'Dial', 'Hangup', 'Answer',
  'Playback', 'VoiceMail', 'ExecIf', 'Wait',
]);
export const KNOWN_FUNCTIONS = new Set(['CURL', 'CURLOPT', 'URIENCODE', 'CUT', 'FIELDQTY', 'FILTER', 'LEN', 'CALLERID', 'CHANNEL', 'DIALPLAN_EXISTS']);

/** Splits on `delim` outside parentheses and double quotes (ast_app_separate_args without removal). */
export function splitArgs(text: string, delim: string, max = Infinity): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '(' || c === '[' || c === '{')) depth++;
    else if (!quoted && (c === ')' || c === ']' || c === '}')) depth--;
    else if (!quoted && depth === 0 && c === delim && out.length < max - 1) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** Checks `${…}`, `$[…]` and `(…)` nesting; returns a problem or null. */
export function bracketProblem(text: string): string | null {
  const stack: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      stack.push('}');
      i++;
    } else if (c === '$' && text[i + 1] === '[') {
      stack.push(']');
      i++;
    } else if (c === '(') stack.push(')');
    else if (c === '}' || c === ']' || c === ')') {
      const expected = stack.pop();
      if (expected !== c) return `unexpected '${c}' at ${i} (expected ${expected ?? 'nothing'})`;
    }
  }
  return stack.length > 0 ? `unclosed ${stack.reverse().join('')}` : null;
}

export function parseDialplan(text: string): ParsedDialplan {
  const contexts = new Map<string, Map<string, Priority[]>>();
  const problems: string[] = [];
  let context: string | null = null;
  let current: { exten: string; list: Priority[] } | null = null;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const semicolon = raw.search(/(?<!\\);/);
    const body = (semicolon >= 0 ? raw.slice(0, semicolon) : raw).trim();
    if (body === '') return;
    const header = /^\[([A-Za-z0-9_-]+)\](\([!A-Za-z0-9_,-]*\))?$/.exec(body);
    if (header) {
      context = header[1];
      if (contexts.has(context)) problems.push(`line ${line}: context [${context}] defined twice`);
      contexts.set(context, new Map());
      current = null;
      return;
    }
    if (context === null) return void problems.push(`line ${line}: text outside any context`);
    const ext = /^exten\s*=>\s*([^,]+),\s*(\d+|n)(?:\(([A-Za-z0-9_]+)\))?,\s*(.*)$/.exec(body);
    const same = /^same\s*=>\s*(\d+|n)(?:\(([A-Za-z0-9_]+)\))?,\s*(.*)$/.exec(body);
    if (!ext && !same) {
      if (/^include\s*=>\s*[A-Za-z0-9_-]+$/.test(body)) return;
      return void problems.push(`line ${line}: not a dialplan line: ${body}`);
    }
    const extensions = contexts.get(context) as Map<string, Priority[]>;
    let exten: string;
    let prio: string;
    let label: string | undefined;
    let call: string;
    if (ext) {
      [, exten, prio, label, call] = ext;
      exten = exten.trim();
      if (extensions.has(exten)) return void problems.push(`line ${line}: extension ${exten} defined twice in [${context}]`);
      if (prio !== '1') problems.push(`line ${line}: extension ${exten} must start at priority 1`);
      current = { exten, list: [] };
      extensions.set(exten, current.list);
    } else {
      if (!current) return void problems.push(`line ${line}: 'same =>' with no extension before it`);
      [, prio, label, call] = same as RegExpExecArray;
      exten = current.exten;
    }
    const list = (current as { list: Priority[] }).list;
    const number = prio === 'n' ? (list.at(-1)?.priority ?? 0) + 1 : Number(prio);
    const app = /^([A-Za-z_][A-Za-z0-9_]*)\((.*)\)$/.exec(call.trim());
    if (!app) return void problems.push(`line ${line}: not an App(args) call: ${call}`);
    if (!KNOWN_APPS.has(app[1])) problems.push(`line ${line}: unknown application ${app[1]}`);
    const brackets = bracketProblem(app[2]);
    if (brackets) problems.push(`line ${line}: ${brackets}`);
    for (const fn of app[2].matchAll(/\$\{([A-Z_]+)\(/g)) if (!KNOWN_FUNCTIONS.has(fn[1])) problems.push(`line ${line}: unknown function ${fn[1]}`);
    if (label && list.some((p) => p.label === label)) problems.push(`line ${line}: label ${label} used twice in ${exten}`);
    list.push({ context, exten, priority: number, label: label ?? null, app: app[1], data: app[2], line });
  });
  return { contexts, problems };
}

/** Structural checks: jump targets exist, While/EndWhile pair up, Gosub targets Return. */
export function checkDialplan(plan: ParsedDialplan): string[] {
  const problems = [...plan.problems];
  const find = (context: string, exten: string): Priority[] | undefined => plan.contexts.get(context)?.get(exten);
  const checkTarget = (from: Priority, target: string): void => {
    const parts = splitArgs(target.trim(), ',');
    const [context, exten, prio] =
      parts.length === 3 ? parts : parts.length === 2 ? [from.context, parts[0], parts[1]] : [from.context, from.exten, parts[0]];
    const where = `line ${from.line}: ${from.app} target ${target}`;
    if (context.includes('${')) return;
    if (!plan.contexts.has(context)) return void problems.push(`${where}: no context [${context}]`);
    if (exten.includes('${')) return;
    const list = find(context, exten) ?? [...(plan.contexts.get(context)?.entries() ?? [])].find(([name]) => matches(name, exten))?.[1];
    if (!list) return void problems.push(`${where}: no extension ${exten} in [${context}]`);
    if (prio.includes('${')) return;
    if (!list.some((p) => String(p.priority) === prio || p.label === prio)) problems.push(`${where}: no priority or label ${prio}`);
  };
  for (const extensions of plan.contexts.values()) {
    for (const list of extensions.values()) {
      let depth = 0;
      for (const p of list) {
        if (p.app === 'Goto' || p.app === 'Gosub') checkTarget(p, p.data);
        if (p.app === 'GotoIf') {
          const [, dests = ''] = splitArgs(p.data, '?', 2);
          for (const dest of splitArgs(dests, ':')) if (dest.trim() !== '') checkTarget(p, dest);
        }
        if (p.app === 'Gosub') {
          const [context, exten] = splitArgs(p.data, ',');
          if (!find(context, exten)?.some((q) => q.app === 'Return')) problems.push(`line ${p.line}: Gosub ${p.data} never Returns`);
        }
        if (p.app === 'While') depth++;
        if ((p.app === 'ContinueWhile' || p.app === 'ExitWhile') && depth === 0) problems.push(`line ${p.line}: ${p.app} outside While`);
        if (p.app === 'EndWhile' && --depth < 0) problems.push(`line ${p.line}: EndWhile without While`);
      }
      if (depth > 0) problems.push(`${list[0].context},${list[0].exten}: While without EndWhile`);
    }
  }
  return problems;
}

/** Asterisk extension pattern match (`_X.`, `_+X.`, `_NXX`, literal names). */
export function matches(pattern: string, exten: string): boolean {
  if (!pattern.startsWith('_')) return pattern === exten;
  let re = '';
  for (const c of pattern.slice(1)) {
    re += c === 'X' ? '[0-9]' : c === 'Z' ? '[1-9]' : c === 'N' ? '[2-9]' : c === '.' ? '.+' : c === '!' ? '.*' : c.replace(/[+*?^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(exten);
}

/** FILTER's allowed-chars: ranges `a-z`, `\-` (a literal dash), `\xNN`. */
export function filterChars(allowed: string, value: string): string {
  const set = new Set<string>();
  const chars: string[] = [];
  for (let i = 0; i < allowed.length; i++) {
    if (allowed[i] === '\\' && allowed[i + 1] === 'x') {
      chars.push(String.fromCharCode(parseInt(allowed.slice(i + 2, i + 4), 16)));
      i += 3;
    } else if (allowed[i] === '\\') chars.push(allowed[++i]);
    else if (allowed[i + 1] === '-' && i + 2 < allowed.length) {
      for (let c = allowed.charCodeAt(i); c <= allowed.charCodeAt(i + 2); c++) set.add(String.fromCharCode(c));
      i += 2;
    } else chars.push(allowed[i]);
  }
  for (const c of chars) set.add(c);
  // FILTER works on bytes: a multi-byte character survives only if all its bytes are allowed
  return [...value].filter((c) => c.length === 1 && c.charCodeAt(0) < 128 && set.has(c)).join('');
}

/** CUT(var,delim,spec) as func_cut does it: 1-based fields, `N`, `N-`, `N-M`, `-M`. */
export function cut(value: string, delim: string, spec: string): string {
  const fields = value.split(delim);
  const picked: string[] = [];
  for (const part of spec.split('&')) {
    const m = /^(\d*)(-?)(\d*)$/.exec(part.trim());
    if (!m) continue;
    const from = m[1] ? Number(m[1]) : 1;
    const to = m[2] ? (m[3] ? Number(m[3]) : fields.length) : from;
    for (let i = from; i <= to && i <= fields.length; i++) picked.push(fields[i - 1]);
  }
  return picked.join(delim);
}

export function fieldQty(value: string, delim: string): number {
  return value === '' ? 0 : value.split(delim).length;
}

export interface DialAttempt {
  dial: string;
  timeout: string;
  options: string;
  step: string;
}

export interface RunOptions {
  globals?: Record<string, string>;
  callerIdNum?: string;
  callerIdName?: string;
  uniqueid?: string;
  /** Body of a CURL; throw to simulate a failure (CURL then returns ''). */
  curl?: (url: string) => string;
  /** DIALSTATUS of each Dial (default NOANSWER). */
  dial?: (attempt: DialAttempt, index: number) => string;
  channelVars?: Record<string, string>;
}

export interface RunResult {
  dials: DialAttempt[];
  urls: string[];
  callerIdName: string;
  callerIdNum: string;
  apps: string[];
  vars: Map<string, string>;
  curlopts: Record<string, string>;
}

export class MiniAsterisk {
  constructor(private readonly plan: ParsedDialplan) {}

  run(context: string, exten: string, options: RunOptions = {}): RunResult {
    const vars = new Map<string, string>(Object.entries({ ...options.globals, ...options.channelVars }));
    const result: RunResult = { dials: [], urls: [], callerIdName: options.callerIdName ?? '', callerIdNum: options.callerIdNum ?? '', apps: [], vars, curlopts: {} };
    const stack: { context: string; exten: string; index: number }[] = [];
    let at = { context, exten, index: 0 };
    const listOf = (ctx: string, ext: string): { list: Priority[]; exten: string } => {
      const extensions = this.plan.contexts.get(ctx);
      if (!extensions) throw new Error(`no context ${ctx}`);
      const exact = extensions.get(ext);
      if (exact) return { list: exact, exten: ext };
      const pattern = [...extensions.entries()].find(([name]) => matches(name, ext));
      if (!pattern) throw new Error(`no extension ${ext} in ${ctx}`);
      return { list: pattern[1], exten: ext };
    };
    const goto = (target: string): void => {
      const parts = splitArgs(target.trim(), ',').map((p) => p.trim());
      const [ctx, ext, prio] = parts.length === 3 ? parts : parts.length === 2 ? [at.context, parts[0], parts[1]] : [at.context, at.exten, parts[0]];
      const { list } = listOf(ctx, ext);
      const index = list.findIndex((p) => String(p.priority) === prio || p.label === prio);
      if (index < 0) throw new Error(`no priority ${prio} in ${ctx},${ext}`);
      at = { context: ctx, exten: ext, index };
    };
    const fn = (name: string, args: string): string => {
      const a = splitArgs(args, ',');
      switch (name) {
        case 'CUT':
          return cut(vars.get(a[0]) ?? '', a[1], a[2] ?? '1');
        case 'FIELDQTY':
          return String(fieldQty(vars.get(a[0]) ?? '', a[1]));
        case 'FILTER': {
          const [allowed, value = ''] = splitArgs(args, ',', 2);
          return filterChars(allowed, value);
        }
        case 'LEN':
          return String([...Buffer.from(args)].length);
        case 'URIENCODE':
          return encodeURIComponent(args);
        case 'CURL': {
          result.urls.push(args);
          try {
            return options.curl ? options.curl(args) : '';
          } catch {
            return '';
          }
        }
        case 'CALLERID':
          return a[0] === 'name' ? result.callerIdName : result.callerIdNum;
        case 'CHANNEL':
          return a[0] === 'linkedid' ? (options.uniqueid ?? '1795336092.1') : '';
        case 'DIALPLAN_EXISTS': {
          try {
            const { list } = listOf(a[0], a[1]);
            return list.some((p) => String(p.priority) === (a[2] ?? '1') || p.label === a[2]) ? '1' : '0';
          } catch {
            return '0';
          }
        }
        default:
          throw new Error(`function ${name} not modelled`);
      }
    };
    const variable = (inner: string): string => {
      const call = /^([A-Z_]+)\(([\s\S]*)\)$/.exec(inner);
      if (call) return fn(call[1], call[2]);
      const [name, offset, length] = inner.split(':');
      const builtin: Record<string, string> = { EXTEN: at.exten, UNIQUEID: options.uniqueid ?? '1795336092.1', CONTEXT: at.context };
      const value = builtin[name] ?? vars.get(name) ?? '';
      if (offset === undefined) return value;
      const from = Number(offset);
      return length === undefined ? value.slice(from) : value.slice(from, from + Number(length));
    };
    const substitute = (text: string): string => {
      let out = '';
      for (let i = 0; i < text.length; i++) {
        if (text[i] === '$' && (text[i + 1] === '{' || text[i + 1] === '[')) {
          const close = text[i + 1] === '{' ? '}' : ']';
          let depth = 0;
          let j = i + 1;
          for (; j < text.length; j++) {
            if (text[j] === '{' || text[j] === '[') depth++;
            else if (text[j] === '}' || text[j] === ']') {
              depth--;
              if (depth === 0) break;
            }
          }
          if (text[j] !== close) throw new Error(`unbalanced ${text}`);
          const inner = substitute(text.slice(i + 2, j));
          out += close === '}' ? variable(inner) : evaluate(inner);
          i = j;
        } else out += text[i];
      }
      return out;
    };
    const setVar = (assignment: string): void => {
      const eq = assignment.indexOf('=');
      const name = assignment.slice(0, eq).trim().replace(/^_+/, '');
      const value = assignment.slice(eq + 1);
      const target = /^([A-Z_]+)\((.*)\)$/.exec(name);
      if (target?.[1] === 'CALLERID') {
        if (target[2] === 'name') result.callerIdName = value;
        else if (target[2] === 'num') result.callerIdNum = value;
        else if (target[2] === 'all') [result.callerIdName, result.callerIdNum] = ['', value];
      } else if (target?.[1] === 'CURLOPT') result.curlopts[target[2]] = value;
      else if (target) throw new Error(`cannot Set ${name}`);
      else vars.set(name, value);
    };
    const whileIndex = (list: Priority[], from: number, direction: 1 | -1): number => {
      let depth = 0;
      for (let i = from; i >= 0 && i < list.length; i += direction) {
        const app = list[i].app;
        if (app === (direction === 1 ? 'While' : 'EndWhile')) depth++;
        if (app === (direction === 1 ? 'EndWhile' : 'While')) {
          if (depth === 0) return i;
          depth--;
        }
      }
      throw new Error('unpaired While');
    };
    const exec = (app: string, data: string, list: Priority[]): 'stop' | 'jumped' | 'next' => {
      result.apps.push(`${app}(${data})`);
      switch (app) {
        case 'NoOp':
        case 'Answer':
        case 'Playback':
        case 'VoiceMail':
        case 'Wait':
          return 'next';
        case 'Set':
          setVar(data);
          return 'next';
        case 'Hangup':
          return 'stop';
        case 'Goto':
          if (!this.plan.contexts.has(splitArgs(data, ',')[0]) && splitArgs(data, ',').length === 3) return 'stop'; // left this file
          goto(data);
          return 'jumped';
        case 'GotoIf': {
          const [cond, dests = ''] = splitArgs(data, '?', 2);
          const [yes = '', no = ''] = splitArgs(dests, ':', 2);
          const dest = truthy(cond) ? yes : no;
          if (dest.trim() === '') return 'next';
          goto(dest);
          return 'jumped';
        }
        case 'ExecIf': {
          const [cond, apps = ''] = splitArgs(data, '?', 2);
          const [yes = '', no = ''] = splitArgs(apps, ':', 2);
          const chosen = truthy(cond) ? yes : no;
          const m = /^([A-Za-z]+)\(([\s\S]*)\)$/.exec(chosen.trim());
          return m ? exec(m[1], m[2], list) : 'next';
        }
        case 'Gosub':
          stack.push({ ...at, index: at.index + 1 });
          goto(data);
          return 'jumped';
        case 'Return':
          at = stack.pop() as typeof at;
          return 'jumped';
        case 'While':
          if (truthy(data)) return 'next';
          at = { ...at, index: whileIndex(list, at.index + 1, 1) + 1 };
          return 'jumped';
        case 'EndWhile':
        case 'ContinueWhile':
          if (app === 'ContinueWhile' && !truthy(data)) return 'next';
          at = { ...at, index: whileIndex(list, at.index - (app === 'EndWhile' ? 1 : 0), -1) };
          return 'jumped';
        case 'Dial': {
          const [dial, timeout = '', opts = ''] = splitArgs(data, ',');
          const step = vars.get(vars.get('SB_STEP_VAR') ?? 'SWITCHBOARD_STEP') ?? '';
          const attempt = { dial, timeout, options: opts, step };
          result.dials.push(attempt);
          vars.set('DIALSTATUS', options.dial ? options.dial(attempt, result.dials.length - 1) : 'NOANSWER');
          return 'next';
        }
        default:
          throw new Error(`application ${app} not modelled`);
      }
    };
    goto(`${context},${exten},1`);
    for (let steps = 0; steps < 5000; steps++) {
      const { list } = listOf(at.context, at.exten);
      const p = list[at.index];
      if (!p) return result; // ran off the end: Asterisk hangs up
      const outcome = exec(p.app, substitute(p.data), list);
      if (outcome === 'stop') return result;
      if (outcome === 'next') at = { ...at, index: at.index + 1 };
    }
    throw new Error('dialplan loops');
  }
}

function truthy(value: string): boolean {
  const v = value.trim();
  return v !== '' && v !== '0';
}

/** `$[…]` after substitution: | & (lowest), comparisons, + - on numbers; quoted strings compare as text. */
export function evaluate(expr: string): string {
  const tokens = expr.match(/"[^"]*"|!=|<=|>=|[=<>|&+\-]|[^\s"=<>|&+\-!]+/g) ?? [];
  let pos = 0;
  const unquote = (t: string): string => (t.startsWith('"') ? t.slice(1, -1) : t);
  const primary = (): string => unquote(tokens[pos++] ?? '');
  const additive = (): string => {
    let left = primary();
    while (tokens[pos] === '+' || tokens[pos] === '-') {
      const op = tokens[pos++];
      const right = primary();
      left = String(op === '+' ? Number(left) + Number(right) : Number(left) - Number(right));
    }
    return left;
  };
  const comparison = (): string => {
    const left = additive();
    const op = tokens[pos];
    if (!['=', '!=', '<', '>', '<=', '>='].includes(op)) return left;
    pos++;
    const right = additive();
    const numeric = left !== '' && right !== '' && !Number.isNaN(Number(left)) && !Number.isNaN(Number(right));
    const [l, r] = numeric ? [Number(left), Number(right)] : [left, right];
    const result = op === '=' ? l === r : op === '!=' ? l !== r : op === '<' ? l < r : op === '>' ? l > r : op === '<=' ? l <= r : l >= r;
    return result ? '1' : '0';
  };
  const and = (): string => {
    let left = comparison();
    while (tokens[pos] === '&') {
      pos++;
      const right = comparison();
      left = truthy(left) && truthy(right) ? '1' : '0';
    }
    return left;
  };
  let value = and();
  while (tokens[pos] === '|') {
    pos++;
    const right = and();
    value = truthy(value) || truthy(right) ? '1' : '0';
  }
  if (pos < tokens.length) throw new Error(`cannot parse expression: ${expr}`);
  return value;
}
