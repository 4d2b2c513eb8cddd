import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The AMI events of one call as received, so records can be rebuilt after a tracker fix. */
@Entity('call_raw_events')
export class CallRawEvents {
  @PrimaryColumn({ type: 'text' })
  linkedid!: string;

  @Column({ type: 'jsonb' })
  events!: Record<string, string>[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
