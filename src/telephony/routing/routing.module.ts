import { Module } from '@nestjs/common';
import { TelephonyModule } from '../telephony.module';
import { AdminPageController } from './admin-page.controller';
import { OriginateController } from './originate.controller';
import { OriginateService } from './originate.service';
import { PresenceService } from './presence.service';
import { RoutingChainsController } from './routing-chains.controller';
import { RoutingChainsService } from './routing-chains.service';
import { RoutingController } from './routing.controller';
import { RoutingService } from './routing.service';

/** Route decisions for the dialplan, escalation chains, presence and click-to-call; the /admin page. */
@Module({
  imports: [TelephonyModule],
  controllers: [RoutingController, RoutingChainsController, OriginateController, AdminPageController],
  providers: [PresenceService, RoutingChainsService, RoutingService, OriginateService],
  exports: [PresenceService, RoutingService],
})
export class RoutingModule {}
