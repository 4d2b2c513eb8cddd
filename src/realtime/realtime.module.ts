import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CrmModule } from '../crm/crm.module';
import { RoutingModule } from '../telephony/routing/routing.module';
import { TelephonyModule } from '../telephony/telephony.module';
import { CallerCardCache } from './caller-card';
import { DeskController } from './desk.controller';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeService } from './realtime.service';
import { WallboardController, WallboardPageController } from './wallboard.controller';
import { WallboardService } from './wallboard.service';

/** Live caller cards on desks: socket.io + /ws gateway, the call → desk events, the /desk page; the /wallboard. */
@Module({
  imports: [AuthModule, CrmModule, TelephonyModule, RoutingModule],
  controllers: [DeskController, WallboardController, WallboardPageController],
  providers: [RealtimeGateway, RealtimeService, CallerCardCache, WallboardService],
  exports: [RealtimeGateway, RealtimeService],
})
export class RealtimeModule {}
