import { Module } from '@nestjs/common';
import { AmiService } from './ami/ami.service';
import { CallEventBus } from './calls/call-events';
import { CallTrackerService } from './calls/call-tracker.service';
import { CallsController } from './calls/calls.controller';
import { CallsRepository } from './calls/calls.repository';
import { CallsService } from './calls/calls.service';

/** AMI link, call tracking and storage, and the calls API. */
@Module({
  controllers: [CallsController],
  providers: [AmiService, CallEventBus, CallsRepository, CallTrackerService, CallsService],
  exports: [AmiService, CallEventBus, CallTrackerService, CallsRepository],
})
export class TelephonyModule {}
