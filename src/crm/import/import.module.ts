import { Module } from '@nestjs/common';
import { ClientImportService } from './client-import.service';
import { ImportController } from './import.controller';

/** Importing the client base (CSV): REST endpoint; the CLI calls importClients directly. */
@Module({
  controllers: [ImportController],
  providers: [ClientImportService],
  exports: [ClientImportService],
})
export class ImportModule {}
