import { Injectable } from '@nestjs/common';

export interface AmiLinkReport {
  state: 'disabled' | 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';
  connections?: number;
  reconnects?: number;
  eventsReceived?: number;
  lastEventAt?: string | null;
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
