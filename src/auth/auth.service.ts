import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { Repository } from 'typeorm';
import { DomainError } from '../common/domain-error';
import type { AuthUser, TokenPayload } from './auth-user';
import { User } from './users/user.entity';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly jwt: JwtService,
  ) {}

  async login(email: string, password: string): Promise<{ accessToken: string; user: AuthUser }> {
    const user = await this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('lower(user.email) = lower(:email)', { email })
      .getOne();
    const ok = user?.passwordHash && user.active ? await argon2.verify(user.passwordHash, password).catch(() => false) : false;
    if (!user || !ok) {
      this.logger.warn(`failed login for ${email}`);
      throw new DomainError('unauthorized', 'wrong email or password');
    }
    const payload: TokenPayload = { sub: user.id, role: user.role, name: user.name, ext: user.extensions };
    return { accessToken: await this.jwt.signAsync(payload), user: toAuthUser(payload) };
  }

  /**
   * Verifies a token (REST or socket) and returns who it belongs to, as the database has them now:
   * a deactivated user's tokens stop working at once, and a changed role applies at once.
   */
  async verify(token: string): Promise<AuthUser> {
    let payload: TokenPayload;
    try {
      payload = await this.jwt.verifyAsync<TokenPayload>(token);
    } catch {
      throw new DomainError('unauthorized', 'invalid or expired token');
    }
    const user = await this.users.findOne({ where: { id: payload.sub }, select: { id: true, role: true, name: true, extensions: true, active: true } });
    if (!user?.active) throw new DomainError('unauthorized', 'this user is no longer active');
    return { id: user.id, role: user.role, name: user.name, extensions: user.extensions };
  }
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password);
}

function toAuthUser(payload: TokenPayload): AuthUser {
  return { id: payload.sub, role: payload.role, name: payload.name, extensions: payload.ext ?? [] };
}
