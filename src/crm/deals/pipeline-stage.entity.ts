import { Column, Entity, PrimaryColumn } from 'typeorm';

export const STAGE_IDS = [
  'unsorted',
  'qualified',
  'meeting_scheduled',
  'proposal_sent',
  'invoice_sent',
  'won',
  'conditional_refusal',
  'lost',
] as const;
export type StageId = (typeof STAGE_IDS)[number];

/** Pipeline stages (seeded by the initial migration): they name what has been done. */
@Entity('pipeline_stages')
export class PipelineStage {
  @PrimaryColumn({ type: 'text' })
  id!: StageId;

  @Column()
  name!: string;

  @Column({ type: 'int' })
  position!: number;

  /** Won, conditional refusal and lost close a deal. */
  @Column({ name: 'is_closed', default: false })
  isClosed!: boolean;
}
