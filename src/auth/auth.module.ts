import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { Department } from './users/department.entity';
import { DepartmentsController } from './users/departments.controller';
import { User } from './users/user.entity';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';
import { JWT_SECRET } from './jwt-secret';
import { JWT_ALGORITHM } from './token-claims';

@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([User, Department]),
    JwtModule.registerAsync({
      inject: [AppConfig, JWT_SECRET],
      useFactory: (config: AppConfig, secret: string) => ({
        secret,
        signOptions: { expiresIn: config.JWT_TTL_SECONDS, algorithm: JWT_ALGORITHM },
        verifyOptions: { algorithms: [JWT_ALGORITHM] },
      }),
    }),
  ],
  controllers: [AuthController, UsersController, DepartmentsController],
  providers: [AuthService, UsersService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, UsersService],
})
export class AuthModule {}
