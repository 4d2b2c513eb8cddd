import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError, notFound } from '../../common/domain-error';
import { hashPassword } from '../auth.service';
import type { CreateUserDto, UpdateUserDto } from './dto/user.dto';
import { User } from './user.entity';

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  list(): Promise<User[]> {
    return this.users.find({ order: { name: 'ASC' } });
  }

  async get(id: string): Promise<User> {
    return (await this.users.findOne({ where: { id } })) ?? Promise.reject(notFound('user', id));
  }

  async create(input: CreateUserDto): Promise<User> {
    const email = input.email.toLowerCase();
    await this.assertEmailFree(email);
    const { password, ...rest } = input;
    const saved = await this.users.save(this.users.create({ ...rest, email, passwordHash: await hashPassword(password) }));
    this.logger.log(`user ${saved.id} created (${saved.role})`);
    return this.get(saved.id);
  }

  async update(id: string, input: UpdateUserDto): Promise<User> {
    const user = await this.get(id);
    const { password, email, ...rest } = input;
    if (email && email.toLowerCase() !== user.email) await this.assertEmailFree(email.toLowerCase());
    const changes = {
      ...rest,
      ...(email ? { email: email.toLowerCase() } : {}),
      ...(password ? { passwordHash: await hashPassword(password) } : {}),
    };
    if (Object.keys(changes).length > 0) await this.users.update(id, changes);
    return this.get(id);
  }

  /** Users are deactivated, not deleted: their calls and deals keep pointing at them. */
  async deactivate(id: string): Promise<User> {
    await this.get(id);
    await this.users.update(id, { active: false });
    return this.get(id);
  }

  /** The first admin, from ADMIN_EMAIL/ADMIN_PASSWORD; nothing happens when that email already exists. */
  async ensureAdmin(email: string, password: string): Promise<void> {
    const exists = await this.users.exists({ where: { email: email.toLowerCase() } });
    if (exists) return;
    await this.create({ name: 'Administrator', email, password, role: 'admin' });
    this.logger.log(`first admin ${email} created`);
  }

  countAdmins(): Promise<number> {
    return this.users.count({ where: { role: 'admin', active: true } });
  }

  private async assertEmailFree(email: string): Promise<void> {
    if (await this.users.exists({ where: { email } })) {
      throw new DomainError('conflict', `a user with email ${email} already exists`, { field: 'email' });
    }
  }
}
