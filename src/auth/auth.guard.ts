import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError } from '../common/domain-error';
import type { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import type { Role } from '../people/person';

/** Global guard: every route needs a valid bearer token unless @Public; @Roles narrows who may call it. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token) throw new DomainError('unauthorized', 'missing bearer token');
    const user = await this.auth.verify(token);
    request.user = user;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && user.role !== 'admin' && !roles.includes(user.role)) {
      throw new DomainError('forbidden', `role ${user.role} may not do this`);
    }
    return true;
  }
}
