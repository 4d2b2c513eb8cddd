import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Company } from '../companies/company.entity';
import { Contact } from '../contacts/contact.entity';

/** A phone number of a company or of a contact (exactly one), stored as E.164. */
@Entity('phone_numbers')
@Check('phone_numbers_one_owner', '(company_id IS NULL) <> (contact_id IS NULL)')
export class PhoneNumber {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('phone_numbers_e164_key', { unique: true })
  @Column()
  e164!: string;

  /** As it was typed or imported, for display. */
  @Column({ type: 'text', nullable: true })
  raw!: string | null;

  @Index('phone_numbers_company_idx')
  @Column({ name: 'company_id', type: 'uuid', nullable: true })
  companyId!: string | null;

  @ManyToOne(() => Company, (company) => company.phones, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'company_id' })
  company?: Company | null;

  @Index('phone_numbers_contact_idx')
  @Column({ name: 'contact_id', type: 'uuid', nullable: true })
  contactId!: string | null;

  @ManyToOne(() => Contact, (contact) => contact.phones, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'contact_id' })
  contact?: Contact | null;
}
