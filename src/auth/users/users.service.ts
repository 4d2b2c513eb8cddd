import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import { DomainError, notFound } from '../../common/domain-error';
import { bool, readRows, text, textArray } from '../../common/sql-rows';
import { clashesOf, type Clash } from '../../people/people-directory';
import { PeopleService } from '../../people/people.service';
import { hashPassword } from '../auth.service';
import type { CreateUserDto, UpdateUserDto } from './dto/user.dto';
import { User } from './user.entity';

/**
 * Saves of people that may change who holds an extension or device wait on this transaction lock
 * (the two-key form, apart from the single-key leader locks), so two concurrent saves cannot both
 * pass the clash check.
 */
const PEOPLE_LOCK = `SELECT pg_advisory_xact_lock(hashtext('switchboard'), hashtext('people'))`;

/** Active users other than $1 listing one of the extensions $2 or devices $3 (lower case). */
const HOLDERS = `
SELECT u.id, u.name, u.extensions, u.devices, u.active FROM users u
 WHERE u.active AND u.id IS DISTINCT FROM $1::uuid
   AND (u.extensions && $2::text[] OR EXISTS (SELECT 1 FROM unnest(u.devices) AS dv WHERE lower(dv) = ANY($3::text[])))
 ORDER BY u.created_at, u.id`;

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly people: PeopleService,
  ) {}

  list(): Promise<User[]> {
    return this.users.find({ order: { name: 'ASC' } });
  }

  async get(id: string): Promise<User> {
    return (await this.users.findOne({ where: { id } })) ?? Promise.reject(notFound('user', id));
  }

  /** Refused (conflict) when an extension or device of the new user is another active user's. */
  async create(input: CreateUserDto): Promise<User> {
    const email = input.email.toLowerCase();
    await this.assertEmailFree(email);
    const { password, ...rest } = input;
    const passwordHash = await hashPassword(password);
    const saved = await this.users.manager.transaction(async (manager) => {
      await this.assertNoClash(manager, { id: null, extensions: rest.extensions ?? [], devices: rest.devices ?? [], active: rest.active ?? true });
      return manager.save(manager.create(User, { ...rest, email, passwordHash }));
    });
    this.logger.log(`user ${saved.id} created (${saved.role})`);
    await this.people.reload();
    return this.get(saved.id);
  }

  /**
   * Refused (conflict) when the change gives the user an extension or device another active user
   * holds, or activates a user whose extension or device another active user holds meanwhile.
   * Changes that touch neither (name, DND…) are not checked: they do not change who holds what.
   */
  async update(id: string, input: UpdateUserDto): Promise<User> {
    const user = await this.get(id);
    const { password, email, ...rest } = input;
    if (email && email.toLowerCase() !== user.email) await this.assertEmailFree(email.toLowerCase());
    const changes = {
      ...rest,
      ...(email ? { email: email.toLowerCase() } : {}),
      ...(password ? { passwordHash: await hashPassword(password) } : {}),
    };
    if (Object.keys(changes).length === 0) return user;
    const holdsChange = rest.extensions !== undefined || rest.devices !== undefined || rest.active !== undefined;
    await this.users.manager.transaction(async (manager) => {
      if (holdsChange) {
        // Read again under the lock: the user as it will be after this change.
        await manager.query(PEOPLE_LOCK);
        const current = await manager.findOneOrFail(User, { where: { id } });
        await this.assertNoClash(manager, {
          id,
          extensions: rest.extensions ?? current.extensions,
          devices: rest.devices ?? current.devices,
          active: rest.active ?? current.active,
        });
      }
      await manager.update(User, id, changes);
    });
    await this.people.reload();
    return this.get(id);
  }

  /** Users are deactivated, not deleted: their calls and deals keep pointing at them. */
  async deactivate(id: string): Promise<User> {
    await this.get(id);
    await this.users.update(id, { active: false });
    await this.people.reload();
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

  /**
   * Takes the people lock (held until the transaction ends; taking it again is harmless) and
   * refuses the save when `candidate` would hold an extension or device another active user holds.
   */
  private async assertNoClash(manager: EntityManager, candidate: { id: string | null; extensions: string[]; devices: string[]; active: boolean }): Promise<void> {
    if (!candidate.active || (candidate.extensions.length === 0 && candidate.devices.length === 0)) return;
    await manager.query(PEOPLE_LOCK);
    const others = readRows(
      'extension holders',
      await manager.query(HOLDERS, [candidate.id, candidate.extensions, candidate.devices.map((device) => device.toLowerCase())]),
      { id: text, name: text, extensions: textArray, devices: textArray, active: bool },
    );
    const clashes = clashesOf(candidate, others);
    if (clashes.length > 0) throw clashError(clashes);
  }
}

function clashError(clashes: Clash[]): DomainError<'conflict'> {
  const [first] = clashes;
  const message = clashes.map((clash) => `${clash.kind} ${clash.value} belongs to ${clash.holder.name} (another active user)`).join('; ');
  return new DomainError('conflict', message, {
    field: first.kind === 'extension' ? 'extensions' : 'devices',
    [first.kind]: first.value,
    holder: first.holder,
    clashes,
  });
}
