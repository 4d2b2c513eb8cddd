import { Column, Entity, Index, OneToMany, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CallLeg } from './call-leg.entity';

/** One call (all channels sharing an Asterisk Linkedid), written when the tracker finalizes it. */
@Entity('calls')
@Index('calls_started_idx', ['startedAt'])
@Index('calls_caller_idx', ['caller', 'startedAt'])
export class Call {
  @PrimaryColumn({ type: 'text' })
  linkedid!: string;

  @Column({ type: 'text' })
  direction!: 'inbound' | 'outbound' | 'internal';

  /** E.164 or 'anonymous'. */
  @Column({ type: 'text' })
  caller!: string;

  @Column({ name: 'caller_name', type: 'text', nullable: true })
  callerName!: string | null;

  /** For outbound calls: the number dialled (E.164). */
  @Column({ type: 'text', nullable: true })
  callee!: string | null;

  @Column({ type: 'text', nullable: true })
  did!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'ring_seconds', type: 'real', default: 0 })
  ringSeconds!: number;

  @Column({ name: 'talk_seconds', type: 'real', default: 0 })
  talkSeconds!: number;

  @Column({ name: 'answered_by_extension', type: 'text', nullable: true })
  answeredByExtension!: string | null;

  @Index('calls_answered_by_idx')
  @Column({ name: 'answered_by_user_id', type: 'uuid', nullable: true })
  answeredByUserId!: string | null;

  /** Who placed an outbound/internal call, resolved when it was stored (extension_owners). */
  @Column({ name: 'placed_by_user_id', type: 'uuid', nullable: true })
  placedByUserId!: string | null;

  @Column({ type: 'text' })
  disposition!: 'answered' | 'missed';

  @Column({ default: false })
  abandoned!: boolean;

  /** The PBX itself answered (voicemail/IVR): still a missed call. */
  @Column({ default: false })
  voicemail!: boolean;

  @Column({ name: 'step_reached', type: 'text', nullable: true })
  stepReached!: string | null;

  @Column({ name: 'step_index', type: 'int', default: 0 })
  stepIndex!: number;

  @Column({ name: 'hangup_cause', type: 'int', nullable: true })
  hangupCause!: number | null;

  @Column({ name: 'hung_up_by', type: 'text', nullable: true })
  hungUpBy!: string | null;

  @Column({ name: 'transferred_to', type: 'text', nullable: true })
  transferredTo!: string | null;

  @Column({ name: 'recording_file', type: 'text', nullable: true })
  recordingFile!: string | null;

  /** The voicemail message the caller left (VM_MESSAGEFILE: the file on the PBX), or null. */
  @Column({ name: 'voicemail_message', type: 'text', nullable: true })
  voicemailMessage!: string | null;

  /** How the record was closed: 'hangup' normally, 'resync'/'timeout' after a lost AMI link. */
  @Column({ name: 'closed_by', type: 'text', default: 'hangup' })
  closedBy!: string;

  /** The full record as the tracker produced it. */
  @Column({ type: 'jsonb' })
  record!: Record<string, unknown>;

  @OneToMany(() => CallLeg, (leg) => leg.call)
  legs?: CallLeg[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
