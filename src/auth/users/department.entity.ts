import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('departments')
export class Department {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('departments_name_key', { unique: true })
  @Column()
  name!: string;
}
