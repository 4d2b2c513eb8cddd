import { Injectable, Logger } from '@nestjs/common';
import type { AmiMessage } from '../ami/ami-frame-parser';
import { AmiService } from '../ami/ami.service';
import { EMPTY_PRESENCE, reducePresence, type PresenceState } from './presence';

const PRESENCE_EVENTS = new Set(['DeviceStateChange', 'ExtensionStatus', 'ContactStatus']);

/**
 * Keeps the device states of the PBX from the AMI stream (pure reducer in presence.ts).
 * After every (re)connect the old picture is dropped and rebuilt from `DeviceStateList`, so a
 * lost link never leaves people marked busy or offline: unknown devices count as available.
 */
@Injectable()
export class PresenceService {
  private readonly logger = new Logger(PresenceService.name);
  private current: PresenceState = EMPTY_PRESENCE;

  constructor(private readonly ami: AmiService) {
    // subscribed at construction, before the link starts (AmiService starts it on bootstrap)
    this.ami.on('message', (message) => this.apply(message));
    this.ami.on('connected', ({ connection }) => void this.resync(connection));
  }

  get state(): PresenceState {
    return this.current;
  }

  /** Applies one AMI message (also used by tests and tools). */
  apply(message: AmiMessage): void {
    if (message.Event !== undefined && PRESENCE_EVENTS.has(message.Event)) this.current = reducePresence(this.current, message);
  }

  private async resync(connection: number): Promise<void> {
    this.current = EMPTY_PRESENCE;
    try {
      const { items } = await this.ami.listAction({ Action: 'DeviceStateList' });
      for (const item of items) this.apply({ ...item, Event: 'DeviceStateChange' });
      this.logger.log(`presence resynced on AMI connection ${connection}: ${items.length} device(s)`);
    } catch (error) {
      this.logger.warn(`presence resync on AMI connection ${connection} failed (${(error as Error).message}); states fill in from events`);
    }
  }
}
