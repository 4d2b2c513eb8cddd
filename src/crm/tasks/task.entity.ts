import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../auth/users/user.entity';
import { Contact } from '../contacts/contact.entity';
import { Deal } from '../deals/deal.entity';
import { Company } from '../companies/company.entity';
import type { TaskKind } from './task-rules';

@Entity('tasks')
export class Task {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column()
  title!: string;

  @Column({ type: 'text', default: 'todo' })
  kind!: TaskKind;

  @Index('tasks_deal_idx')
  @Column({ name: 'deal_id', type: 'uuid', nullable: true })
  dealId!: string | null;

  @ManyToOne(() => Deal, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'deal_id' })
  deal?: Deal | null;

  @Index('tasks_contact_idx')
  @Column({ name: 'contact_id', type: 'uuid', nullable: true })
  contactId!: string | null;

  @ManyToOne(() => Contact, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'contact_id' })
  contact?: Contact | null;

  @Column({ name: 'company_id', type: 'uuid', nullable: true })
  companyId!: string | null;

  @ManyToOne(() => Company, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'company_id' })
  company?: Company | null;

  /** For callback tasks: the number to call back (E.164). */
  @Index('tasks_phone_idx')
  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  /** Null: the task sits with the lead exchange (anyone may take it). */
  @Index('tasks_assignee_idx')
  @Column({ name: 'assignee_id', type: 'uuid', nullable: true })
  assigneeId!: string | null;

  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'assignee_id' })
  assignee?: User | null;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  /** Callback tasks: the voicemail message the caller left (the file on the PBX), or null. */
  @Column({ name: 'voicemail_message', type: 'text', nullable: true })
  voicemailMessage!: string | null;

  /** Callback tasks: missed calls merged into this task, the first one, and the delay to the conversation. */
  @Column({ name: 'missed_calls', type: 'int', default: 0 })
  missedCalls!: number;

  @Column({ name: 'first_missed_at', type: 'timestamptz', nullable: true })
  firstMissedAt!: Date | null;

  @Column({ name: 'last_missed_at', type: 'timestamptz', nullable: true })
  lastMissedAt!: Date | null;

  @Column({ name: 'callback_seconds', type: 'int', nullable: true })
  callbackSeconds!: number | null;

  /** Outbound calls to the number that nobody answered: attempts, not callbacks. */
  @Column({ name: 'callback_attempts', type: 'int', default: 0 })
  callbackAttempts!: number;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  /** Who actually talked to the client when a callback task closed itself. */
  @Column({ name: 'closed_by_user_id', type: 'uuid', nullable: true })
  closedByUserId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
