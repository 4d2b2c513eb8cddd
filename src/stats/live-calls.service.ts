import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CallEventBus } from '../telephony/calls/call-events';
import { CallTrackerService } from '../telephony/calls/call-tracker.service';

export interface LiveCounts {
  /** Calls in progress that nobody has answered yet (ringing, or waiting in the chain / voicemail). */
  ringing: number;
  /** Calls in progress where a person answered. */
  talking: number;
  at: string;
}

/**
 * Live counters for the dashboard: the tracker's open calls, split by whether a person answered
 * (learned from `call.answered` on the bus; forgotten once the call is stored).
 */
@Injectable()
export class LiveCallsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly answered = new Set<string>();
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly bus: CallEventBus,
    private readonly tracker: CallTrackerService,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = [
      this.bus.on('call.answered', ({ linkedid }) => this.answered.add(linkedid)),
      this.bus.on('call.stored', ({ record }) => this.answered.delete(record.linkedid)),
    ];
  }

  onApplicationShutdown(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
  }

  counts(): LiveCounts {
    const live = new Set(this.tracker.liveCallIds());
    // Calls the tracker closed without a finalized event reaching us are forgotten here.
    for (const linkedid of this.answered) if (!live.has(linkedid)) this.answered.delete(linkedid);
    let talking = 0;
    for (const linkedid of live) if (this.answered.has(linkedid)) talking++;
    return { ringing: live.size - talking, talking, at: new Date().toISOString() };
  }
}
