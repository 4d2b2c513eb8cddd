import { createReadStream, existsSync, readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { AmiFrameParser } from '../telephony/ami/ami-frame-parser';
import type { CallRecord } from '../telephony/calls/call-record';
import { DirectoryError, parseDirectory, type Directory } from '../telephony/calls/directory';
import { CallRebuilder } from '../telephony/calls/rebuild';

const USAGE = 'usage: npm run replay -- --directory <directory.json> <file.ami> [more.ami …]';

interface ReplayArgs {
  directoryPath: string;
  files: string[];
}

/** Parses `--directory <file>` (or `--directory=<file>`) and the recordings. */
export function parseReplayArgs(args: readonly string[]): ReplayArgs | string {
  let directoryPath: string | null = null;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--directory' || arg === '-d') {
      const value = args[++i];
      if (!value) return '--directory needs a file';
      directoryPath = value;
    } else if (arg.startsWith('--directory=')) {
      directoryPath = arg.slice('--directory='.length);
    } else if (arg === '--') {
      continue;
    } else if (arg.startsWith('-')) {
      return `unknown option ${arg}`;
    } else {
      files.push(arg);
    }
  }
  if (!directoryPath) return 'missing --directory <directory.json>';
  if (files.length === 0) return 'no recording given';
  return { directoryPath, files };
}

function loadDirectory(path: string): Directory {
  if (!existsSync(path)) throw new DirectoryError(`directory file not found: ${path}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DirectoryError(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseDirectory(json);
}

/** The replay's output shape: the contract fields first, the rest of the record after. */
export function replayView(record: CallRecord): Record<string, unknown> {
  return {
    linkedid: record.linkedid,
    direction: record.direction,
    caller: record.caller,
    did: record.did,
    answeredBy: record.answeredBy,
    disposition: record.disposition,
    abandoned: record.abandoned,
    stepReached: record.stepReached,
    stepIndex: record.stepIndex,
    ringSeconds: record.ringSeconds,
    talkSeconds: record.talkSeconds,
    legs: record.legs.map((leg) => ({ extension: leg.extension, step: leg.step, outcome: leg.outcome })),
    callerName: record.callerName,
    placedBy: record.placedBy,
    voicemail: record.voicemail,
    startedAt: record.startedAt,
    answeredAt: record.answeredAt,
    endedAt: record.endedAt,
    hangupCause: record.hangupCause,
    hangupCauseText: record.hangupCauseText,
    hungUpBy: record.hungUpBy,
    transferredTo: record.transferredTo,
    recordingFile: record.recordingFile,
    closedBy: record.closedBy,
  };
}

/**
 * Replays recordings (successive connections of one AMI link) through the production parser and
 * tracker; writes one JSON array of calls to `stdout`, logs to `stderr`. Returns the exit code.
 */
export async function runReplay(args: readonly string[], stdout: Writable, stderr: Writable): Promise<number> {
  const parsed = parseReplayArgs(args);
  if (typeof parsed === 'string') {
    stderr.write(`replay: ${parsed}\n${USAGE}\n`);
    return 2;
  }
  let directory: Directory;
  try {
    directory = loadDirectory(parsed.directoryPath);
  } catch (error) {
    stderr.write(`replay: bad directory: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const missing = parsed.files.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    stderr.write(`replay: recording not found: ${missing.join(', ')}\n`);
    return 2;
  }

  const rebuilder = new CallRebuilder(directory);
  for (const file of parsed.files) {
    // Each file is one connection: a fresh parser (banner, login) on the same tracker.
    const parser = new AmiFrameParser();
    let messages = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) {
      const result = parser.push(chunk as Buffer);
      for (const problem of result.problems) stderr.write(`replay: ${file}: ${problem.kind}: ${problem.detail}\n`);
      for (const message of result.messages) rebuilder.push(message);
      messages += result.messages.length;
    }
    if (parser.pendingChars > 0) stderr.write(`replay: ${file}: ${parser.pendingChars} trailing chars ignored\n`);
    stderr.write(`replay: ${file}: ${messages} messages\n`);
  }
  const result = rebuilder.finish();
  for (const problem of result.problems) {
    stderr.write(`replay: ${problem.code}: ${problem.message} (event ${problem.event}, linkedid ${problem.linkedid})\n`);
  }
  if (result.unfinished > 0) stderr.write(`replay: ${result.unfinished} call(s) still open at the end, closed as timeout\n`);
  stderr.write(`replay: ${result.records.length} call(s)\n`);
  stdout.write(`${JSON.stringify(result.records.map(replayView), null, 2)}\n`);
  return 0;
}

if (require.main === module) {
  runReplay(process.argv.slice(2), process.stdout, process.stderr).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`replay: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
