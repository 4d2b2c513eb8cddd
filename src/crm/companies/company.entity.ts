import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { User } from '../../auth/users/user.entity';
import { PhoneNumber } from '../phones/phone-number.entity';
import type { AbcCategory } from './abc-category';

@Entity('companies')
export class Company {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('companies_name_key', { unique: true })
  @Column()
  name!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  @Column({ name: 'abc_category', type: 'char', length: 1, nullable: true })
  abcCategory!: AbcCategory | null;

  @Column({ name: 'responsible_id', type: 'uuid', nullable: true })
  responsibleId!: string | null;

  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'responsible_id' })
  responsible?: User | null;

  @OneToMany(() => PhoneNumber, (phone) => phone.company)
  phones?: PhoneNumber[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
