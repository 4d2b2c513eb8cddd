import { Module } from '@nestjs/common';
import { TelephonyModule } from '../telephony.module';
import { OriginateController } from './originate.controller';
import { OriginateService } from './originate.service';
import { PresenceService } from './presence.service';
import { RoutingChainsController } from './routing-chains.controller';
import { RoutingChainsService } from './routing-chains.service';
import { RoutingController } from './routing.controller';
import { RoutingService } from './routing.service';

/** Route decisions for the dialplan, escalation chains, presence and click-to-call. */
@Module({
  imports: [TelephonyModule],
  controllers: [RoutingController, RoutingChainsController, OriginateController],
  providers: [PresenceService, RoutingChainsService, RoutingService, OriginateService],
  exports: [PresenceService, RoutingService],
})
export class RoutingModule {}
