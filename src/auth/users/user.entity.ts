import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../people/person';
import { Department } from './department.entity';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column()
  name!: string;

  @Index('users_email_key', { unique: true })
  @Column()
  email!: string;

  @Column({ name: 'password_hash', type: 'text', nullable: true, select: false })
  passwordHash!: string | null;

  @Column({ type: 'text' })
  role!: Role;

  /** Extensions (e.g. 101) that reach this person's phones. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  extensions!: string[];

  /** Asterisk devices of this person (e.g. PJSIP/101, Local/101@managers) for mapping AMI channels. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  devices!: string[];

  @Column({ name: 'department_id', type: 'uuid', nullable: true })
  departmentId!: string | null;

  @ManyToOne(() => Department, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'department_id' })
  department?: Department | null;

  @Column({ default: false })
  dnd!: boolean;

  @Column({ default: true })
  active!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
