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

/** Where the telephony side reports its AMI link for /health (kept here so health has no telephony import). */
@Injectable()
export class LinkStatus {
  private source: () => AmiLinkReport = () => ({ state: 'disabled' });

  setAmiSource(source: () => AmiLinkReport): void {
    this.source = source;
  }

  ami(): AmiLinkReport {
    return this.source();
  }
}
