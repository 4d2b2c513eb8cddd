import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, ILike } from 'typeorm';
import { DomainError, notFound } from '../../common/domain-error';
import type { AuthUser } from '../../auth/auth-user';
import { assertMayAssignResponsible } from '../../auth/supervision';
import { AppConfig } from '../../config';
import { assignPhones } from '../phones/phone-ownership';
import { normalizePhones } from '../phones/phone-rules';
import { Company } from './company.entity';
import type { CreateCompanyDto, UpdateCompanyDto } from './dto/company.dto';

@Injectable()
export class CompaniesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  list(search?: string, limit = 100, offset = 0): Promise<Company[]> {
    return this.dataSource.getRepository(Company).find({
      where: search ? { name: ILike(`%${search.replace(/[%_\\]/g, '\\$&')}%`) } : {},
      relations: { phones: true },
      order: { name: 'ASC' },
      take: limit,
      skip: offset,
    });
  }

  async get(id: string): Promise<Company> {
    const company = await this.dataSource.getRepository(Company).findOne({ where: { id }, relations: { phones: true } });
    if (!company) throw notFound('company', id);
    return company;
  }

  async create(input: CreateCompanyDto, user: AuthUser): Promise<Company> {
    assertMayAssignResponsible(user, null, input.responsibleId === user.id ? null : input.responsibleId);
    const { phones = [], ...fields } = input;
    const normalized = normalizePhones(phones, this.config.DEFAULT_REGION);
    const id = await this.dataSource.transaction(async (manager) => {
      await this.assertNameFree(manager.getRepository(Company), fields.name);
      const saved = await manager.getRepository(Company).save(manager.getRepository(Company).create(fields));
      await assignPhones(manager, { companyId: saved.id }, normalized, 'replace');
      return saved.id;
    });
    return this.get(id);
  }

  async update(id: string, input: UpdateCompanyDto, user: AuthUser): Promise<Company> {
    const { phones, ...fields } = input;
    const normalized = phones ? normalizePhones(phones, this.config.DEFAULT_REGION) : null;
    await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(Company);
      const company = await repo.findOne({ where: { id } });
      if (!company) throw notFound('company', id);
      assertMayAssignResponsible(user, company.responsibleId, fields.responsibleId);
      if (fields.name && fields.name.toLowerCase() !== company.name.toLowerCase()) await this.assertNameFree(repo, fields.name);
      if (Object.keys(fields).length) await repo.update(id, fields);
      if (normalized) await assignPhones(manager, { companyId: id }, normalized, 'replace');
    });
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const result = await this.dataSource.getRepository(Company).delete(id);
    if (!result.affected) throw notFound('company', id);
  }

  private async assertNameFree(repo: ReturnType<DataSource['getRepository']>, name: string): Promise<void> {
    const taken = await repo.createQueryBuilder('c').where('lower(c.name) = lower(:name)', { name }).getExists();
    if (taken) throw new DomainError('conflict', `a company named "${name}" already exists`, { field: 'name' });
  }
}
