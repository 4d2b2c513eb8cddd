import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CrmModule } from '../crm/crm.module';
import { TelephonyModule } from '../telephony/telephony.module';
import { CallerCardCache } from './caller-card';
import { DeskController } from './desk.controller';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeService } from './realtime.service';

/** Live caller cards on desks: socket.io + /ws gateway, the call → desk events, the /desk page. */
@Module({
  imports: [AuthModule, CrmModule, TelephonyModule],
  controllers: [DeskController],
  providers: [RealtimeGateway, RealtimeService, CallerCardCache],
  exports: [RealtimeGateway, RealtimeService],
})
export class RealtimeModule {}
