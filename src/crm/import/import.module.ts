import { Module } from '@nestjs/common';
import { ImportJobsService } from './import-jobs.service';
import { ImportController } from './import.controller';
import { ImportPageController } from './import-page.controller';

/** Importing the client base (CSV): background jobs behind REST, the /import page; the CLI calls importClients directly. */
@Module({
  controllers: [ImportController, ImportPageController],
  providers: [ImportJobsService],
  exports: [ImportJobsService],
})
export class ImportModule {}
