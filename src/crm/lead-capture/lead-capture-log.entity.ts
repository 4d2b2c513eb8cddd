import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One row per call lead capture has handled: replays and restarts never apply a call twice. */
@Entity('lead_capture_log')
export class LeadCaptureLog {
  @PrimaryColumn({ type: 'text' })
  linkedid!: string;

  @Column({ type: 'text' })
  phone!: string;

  @Column({ type: 'text' })
  reason!: string;

  @CreateDateColumn({ name: 'applied_at', type: 'timestamptz' })
  appliedAt!: Date;
}
