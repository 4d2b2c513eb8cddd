import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module';
import { JWT_SECRET } from './auth/jwt-secret';
import { HttpErrorFilter } from './common/http-error.filter';
import { PageSettingsController } from './common/page-settings.controller';
import { AppConfig } from './config';
import { CrmModule } from './crm/crm.module';
import { ImportModule } from './crm/import/import.module';
import { dataSourceOptions } from './database/data-source';
import { HealthController } from './health/health.controller';
import { LinkStatus } from './health/link-status';
import { MetricsModule } from './metrics/metrics.module';
import { PeopleModule } from './people/people.module';
import { RealtimeModule } from './realtime/realtime.module';
import { StatsModule } from './stats/stats.module';
import { RoutingModule } from './telephony/routing/routing.module';
import { TelephonyModule } from './telephony/telephony.module';

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
  jwtSecret: string;
}

@Global()
@Module({})
export class AppModule {
  static register(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [TypeOrmModule.forRoot(dataSourceOptions(options.databaseUrl)), MetricsModule, PeopleModule, AuthModule, CrmModule, TelephonyModule, RoutingModule, ImportModule, RealtimeModule, StatsModule],
      controllers: [HealthController, PageSettingsController],
      providers: [
        { provide: AppConfig, useValue: options.config },
        { provide: JWT_SECRET, useValue: options.jwtSecret },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        LinkStatus,
      ],
      exports: [AppConfig, JWT_SECRET, LinkStatus],
    };
  }
}
