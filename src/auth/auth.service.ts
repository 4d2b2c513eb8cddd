import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { In, Repository } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config';
import type { AuthUser, TokenPayload } from './auth-user';
import { LoginAttempts } from './login-limiter';
import { checkTokenClaims } from './token-claims';
import { User } from './users/user.entity';

/** argon2 hash of a random string nobody knows, verified against when the email is unknown. */
const DUMMY_HASH = '$argon2id$v=19$m=65536,p=4,t=3$m1lggxKSdW2ZdEA87mU29w$lxJFTzlrqbEXioal9FPpdq1KwHTvE3GP8HH1R3u6Wps';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /** Attempts per email (a guessed account) and per source address (one password sprayed over many). */
  private readonly perEmail: LoginAttempts;
  private readonly perAddress: LoginAttempts;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly jwt: JwtService,
    config: AppConfig,
  ) {
    const windowMs = config.LOGIN_WINDOW_SECONDS * 1000;
    this.perEmail = new LoginAttempts({ maxAttempts: config.LOGIN_MAX_FAILURES, windowMs, maxKeys: config.LOGIN_LIMITER_KEYS });
    this.perAddress = new LoginAttempts({ maxAttempts: config.LOGIN_MAX_FAILURES_PER_IP, windowMs, maxKeys: config.LOGIN_LIMITER_KEYS });
  }

  async login(email: string, password: string, address = 'unknown'): Promise<{ accessToken: string; user: AuthUser }> {
    const key = email.toLowerCase();
    const now = Date.now();
    // A locked source address is refused before its attempt is counted against the email.
    const fromAddress = this.perAddress.attempt(address, now);
    if (!fromAddress.ok) {
      this.logger.warn(`login for ${email} refused: too many failed logins from ${address}`);
      throw new DomainError('rate_limited', `too many failed logins from your address; try again in ${Math.ceil(fromAddress.retryInMs / 1000)} s`);
    }
    const forEmail = this.perEmail.attempt(key, now);
    if (!forEmail.ok) {
      this.perAddress.refund(address, now);
      throw new DomainError('rate_limited', `too many failed logins for ${email}; try again in ${Math.ceil(forEmail.retryInMs / 1000)} s`);
    }
    const user = await this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('lower(user.email) = lower(:email)', { email })
      .getOne();
    // An unknown email costs the same argon2 work as a wrong password: timing tells nothing.
    const hash = user?.passwordHash && user.active ? user.passwordHash : DUMMY_HASH;
    const verified = await argon2.verify(hash, password).catch(() => false);
    if (!user || !verified || hash === DUMMY_HASH) {
      this.logger.warn(`failed login for ${email} from ${address}`);
      throw new DomainError('unauthorized', 'wrong email or password');
    }
    this.perEmail.clear(key);
    this.perAddress.refund(address, Date.now());
    const payload: TokenPayload = { sub: user.id, role: user.role, name: user.name, ext: user.extensions };
    return { accessToken: await this.jwt.signAsync(payload), user: toAuthUser(payload) };
  }

  /** Of these users, the ones still active (long-lived desk sockets are re-checked with this). */
  async stillActive(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.users.find({ where: { id: In(ids), active: true }, select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }

  /**
   * The one check of a token, for REST and both realtime transports: signature with the pinned
   * algorithm (HS256), expiry, and the claims it must carry (`sub`, `exp`); then who it belongs
   * to as the database has them now: a deactivated user's tokens stop working at once, and a
   * changed role applies at once.
   */
  async verify(token: string): Promise<AuthUser> {
    let payload: unknown;
    try {
      payload = await this.jwt.verifyAsync<object>(token);
    } catch {
      throw new DomainError('unauthorized', 'invalid or expired token');
    }
    const checked = checkTokenClaims(payload);
    if (!checked.ok) throw new DomainError('unauthorized', `invalid token: ${checked.reason}`);
    const user = await this.users.findOne({ where: { id: checked.claims.sub }, select: { id: true, role: true, name: true, extensions: true, active: true } });
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
