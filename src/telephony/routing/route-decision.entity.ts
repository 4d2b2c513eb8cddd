import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { SkippedPerson } from './route-plan';

/** One plan step as recorded with its decision. */
export interface RecordedStep {
  name: string;
  timeout: number;
  dial: string;
  extensions: string[];
  userIds: string[];
}

/**
 * Every route decision the dialplan asked for: which rule and chain, the steps, who was skipped
 * and why. Joined to the call record by `linkedid` (or the inbound channel's `uniqueid`).
 */
@Entity('route_decisions')
export class RouteDecision {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Index('route_decisions_uniqueid_idx')
  @Column({ type: 'text', nullable: true })
  uniqueid!: string | null;

  @Index('route_decisions_linkedid_idx')
  @Column({ type: 'text', nullable: true })
  linkedid!: string | null;

  /** E.164 or `anonymous`. */
  @Column({ type: 'text' })
  caller!: string;

  /** The caller id as the dialplan sent it (cut to 64 characters). */
  @Column({ name: 'caller_raw', type: 'text' })
  callerRaw!: string;

  @Column({ type: 'text' })
  did!: string;

  @Column({ type: 'boolean' })
  known!: boolean;

  @Column({ name: 'responsible_id', type: 'uuid', nullable: true })
  responsibleId!: string | null;

  @Column({ type: 'text' })
  chain!: string;

  @Column({ type: 'text' })
  rule!: string;

  @Column({ type: 'jsonb' })
  steps!: RecordedStep[];

  @Column({ name: 'empty_steps', type: 'text', array: true })
  emptySteps!: string[];

  @Column({ type: 'jsonb' })
  skipped!: SkippedPerson[];

  @Column({ name: 'final_action', type: 'text' })
  finalAction!: string;

  /** The exact body the dialplan received. */
  @Column({ type: 'text' })
  plan!: string;

  @Index('route_decisions_decided_idx')
  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt!: Date;

  @Column({ name: 'duration_us', type: 'integer' })
  durationUs!: number;
}

/** Settings edited through the API (key `chains`: the routing configuration). */
@Entity('routing_settings')
export class RoutingSetting {
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'jsonb' })
  value!: unknown;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
