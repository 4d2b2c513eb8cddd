import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A call the database kept refusing, parked with its raw events and the error (retry-calls writes it after a fix). */
@Entity('calls_dead_letter')
export class CallDeadLetter {
  @PrimaryColumn({ type: 'text' })
  linkedid!: string;

  /** The call record, made readable (call-storage-text.ts). */
  @Column({ type: 'jsonb' })
  record!: Record<string, unknown>;

  /** Its raw AMI events, escaped (call-storage-text.ts). */
  @Column({ type: 'jsonb' })
  events!: unknown[];

  @Column({ type: 'text' })
  error!: string;

  @Column({ type: 'text', nullable: true })
  sqlstate!: string | null;

  @Column({ type: 'int' })
  attempts!: number;

  @Column({ name: 'first_failed_at', type: 'timestamptz' })
  firstFailedAt!: Date;

  @Column({ name: 'parked_at', type: 'timestamptz' })
  parkedAt!: Date;
}
