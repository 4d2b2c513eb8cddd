import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { User } from '../../auth/users/user.entity';
import { Company } from '../companies/company.entity';
import { Contact } from '../contacts/contact.entity';
import { PipelineStage } from './pipeline-stage.entity';
import type { StageId } from './stage-rules';

export const DEAL_SOURCES = ['phone', 'manual', 'import', 'web', 'other'] as const;
export type DealSource = (typeof DEAL_SOURCES)[number];

@Entity('deals')
export class Deal {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column()
  title!: string;

  @Index('deals_stage_idx')
  @Column({ name: 'stage_id', type: 'text', default: 'unsorted' })
  stageId!: StageId;

  @ManyToOne(() => PipelineStage)
  @JoinColumn({ name: 'stage_id' })
  stage?: PipelineStage;

  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  budget!: string | null;

  @Index('deals_responsible_idx')
  @Column({ name: 'responsible_id', type: 'uuid', nullable: true })
  responsibleId!: string | null;

  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'responsible_id' })
  responsible?: User | null;

  @Index('deals_company_idx')
  @Column({ name: 'company_id', type: 'uuid', nullable: true })
  companyId!: string | null;

  @ManyToOne(() => Company, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'company_id' })
  company?: Company | null;

  @Index('deals_contact_idx')
  @Column({ name: 'contact_id', type: 'uuid', nullable: true })
  contactId!: string | null;

  @ManyToOne(() => Contact, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'contact_id' })
  contact?: Contact | null;

  @Column({ type: 'text', default: 'manual' })
  source!: DealSource;

  /** The line (DID) the lead came in on: the marketing channel. */
  @Column({ type: 'text', nullable: true })
  line!: string | null;

  /** Why the client refused (required for conditional refusal) or was lost. */
  @Column({ name: 'close_reason', type: 'text', nullable: true })
  closeReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
