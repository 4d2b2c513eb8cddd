import { Injectable } from '@nestjs/common';

export interface AmiLinkReport {
  state: 'disabled' | 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';
  /** This instance consumes AMI events (holds the AMI lock); followers keep an actions-only session. */
  leader?: boolean;
  connections?: number;
  reconnects?: number;
  disconnects?: number;
  eventsReceived?: number;
  lastEventAt?: string | null;
  secondsSinceLastEvent?: number | null;
  /** Set while the leader's event link is down: the gap in progress. */
  disconnectedSince?: string | null;
  disconnectedSeconds?: number;
  /** The last gap of the event link that has ended (reconnected). */
  lastGap?: { from: string; to: string; seconds: number } | null;
}

/** Finished calls on their way to the database. */
export interface CallStorageReport {
  /** Not written yet (in memory, in flight, on disk only). */
  buffered: number;
  /** Waiting on disk only (the in-memory bound was reached). */
  onDiskOnly: number;
  /** Refused by the database, retried alone now. */
  retryingAlone: string[];
  /** Writes fail for a reason of the database's (it answers, but a table is missing, it is read-only…): since when, and why. */
  writesFailing: { since: string; error: string } | null;
  /** Parked in calls_dead_letter (count, and the latest linkedids). */
  deadLetter: { count: number; linkedids: string[] };
}

/** Where the telephony side reports its AMI link and its call storage for /health (kept here so health has no telephony import). */
@Injectable()
export class LinkStatus {
  private source: () => AmiLinkReport = () => ({ state: 'disabled' });
  private callsSource: (() => Promise<CallStorageReport>) | null = null;

  setCallsSource(source: () => Promise<CallStorageReport>): void {
    this.callsSource = source;
  }

  /** Call storage, or null when nothing stores calls (or the report failed). */
  async calls(): Promise<CallStorageReport | null> {
    return this.callsSource ? this.callsSource().catch(() => null) : null;
  }

  setAmiSource(source: () => AmiLinkReport): void {
    this.source = source;
  }

  ami(): AmiLinkReport {
    return this.source();
  }
}
