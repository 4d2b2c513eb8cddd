import { Module } from '@nestjs/common';
import { ImportJobsService } from './import-jobs.service';
import { ImportController } from './import.controller';

/** Importing the client base (CSV): background jobs behind REST; the CLI calls importClients directly. */
@Module({
  controllers: [ImportController],
  providers: [ImportJobsService],
  exports: [ImportJobsService],
})
export class ImportModule {}
