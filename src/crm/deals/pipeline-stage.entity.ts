import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StageId } from './stage-rules';


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
