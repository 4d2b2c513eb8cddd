import { Global, Module } from '@nestjs/common';
import { PeopleService } from './people.service';

/** The people directory (extension/device → person), for every area. */
@Global()
@Module({
  providers: [PeopleService],
  exports: [PeopleService],
})
export class PeopleModule {}
