import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, ILike } from 'typeorm';
import { notFound } from '../../common/domain-error';
import type { AuthUser } from '../../auth/auth-user';
import { assertMayAssignResponsible } from '../../auth/supervision';
import { AppConfig } from '../../config';
import { Company } from '../companies/company.entity';
import { assignPhones } from '../phones/phone-ownership';
import { normalizePhones } from '../phones/phone-rules';
import { Contact } from './contact.entity';
import type { CreateContactDto, UpdateContactDto } from './dto/contact.dto';

@Injectable()
export class ContactsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  list(filter: { search?: string; companyId?: string }, limit = 100, offset = 0): Promise<Contact[]> {
    return this.dataSource.getRepository(Contact).find({
      where: {
        ...(filter.search ? { name: ILike(`%${filter.search.replace(/[%_\\]/g, '\\$&')}%`) } : {}),
        ...(filter.companyId ? { companyId: filter.companyId } : {}),
      },
      relations: { phones: true },
      order: { name: 'ASC' },
      take: limit,
      skip: offset,
    });
  }

  async get(id: string): Promise<Contact> {
    const contact = await this.dataSource.getRepository(Contact).findOne({ where: { id }, relations: { phones: true, company: true } });
    if (!contact) throw notFound('contact', id);
    return contact;
  }

  async create(input: CreateContactDto, user: AuthUser): Promise<Contact> {
    assertMayAssignResponsible(user, null, input.responsibleId === user.id ? null : input.responsibleId);
    const { phones = [], ...fields } = input;
    const normalized = normalizePhones(phones, this.config.DEFAULT_REGION);
    const id = await this.dataSource.transaction(async (manager) => {
      const saved = await manager.getRepository(Contact).save(manager.getRepository(Contact).create(fields));
      await assignPhones(manager, { contactId: saved.id }, normalized, 'replace');
      return saved.id;
    });
    return this.get(id);
  }

  async update(id: string, input: UpdateContactDto, user: AuthUser): Promise<Contact> {
    const { phones, ...fields } = input;
    const normalized = phones ? normalizePhones(phones, this.config.DEFAULT_REGION) : null;
    await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(Contact);
      const contact = await repo.findOne({ where: { id } });
      if (!contact) throw notFound('contact', id);
      assertMayAssignResponsible(user, contact.responsibleId, fields.responsibleId);
      // Moving a contact without a responsible of its own to another company hands the caller to
      // that company's responsible (the PBX rings them first): the same rule as naming one.
      if (fields.companyId !== undefined && fields.companyId !== contact.companyId && (fields.responsibleId !== undefined ? fields.responsibleId : contact.responsibleId) === null) {
        const responsibleOf = async (companyId: string | null): Promise<string | null> =>
          companyId === null ? null : ((await manager.getRepository(Company).findOne({ where: { id: companyId }, select: { responsibleId: true } }))?.responsibleId ?? null);
        assertMayAssignResponsible(user, await responsibleOf(contact.companyId), await responsibleOf(fields.companyId));
      }
      if (Object.keys(fields).length) await repo.update(id, fields);
      if (normalized) await assignPhones(manager, { contactId: id }, normalized, 'replace');
    });
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const result = await this.dataSource.getRepository(Contact).delete(id);
    if (!result.affected) throw notFound('contact', id);
  }
}
