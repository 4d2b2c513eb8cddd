import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Call } from './call.entity';

/** One person rung within a call. */
@Entity('call_legs')
@Index('call_legs_user_idx', ['userId'])
export class CallLeg {
  @PrimaryColumn({ type: 'text' })
  linkedid!: string;

  /** Position of the leg within its call (stable for a given record, so rewrites are idempotent). */
  @PrimaryColumn({ type: 'int' })
  seq!: number;

  @ManyToOne(() => Call, (call) => call.legs, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'linkedid' })
  call?: Call;

  @Column({ type: 'text' })
  extension!: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'text', nullable: true })
  step!: string | null;

  @Column({ name: 'rang_from', type: 'timestamptz', nullable: true })
  rangFrom!: Date | null;

  @Column({ name: 'rang_to', type: 'timestamptz', nullable: true })
  rangTo!: Date | null;

  @Column({ type: 'text' })
  outcome!: string;

  /** The person missed the call on this leg (the tracker's rule, legMissed in call-record.ts). */
  @Column({ type: 'boolean' })
  missed!: boolean;
}
