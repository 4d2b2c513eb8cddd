import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config';
import { importClients, type ImportSummary } from './client-import';

@Injectable()
export class ClientImportService {
  private readonly logger = new Logger(ClientImportService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async importCsv(input: Readable, userId: string): Promise<ImportSummary> {
    const started = Date.now();
    const summary = await importClients(this.dataSource, input, {
      region: this.config.DEFAULT_REGION,
      onProgress: (progress) => this.logger.log(`client import by user ${userId}: ${progress.rows} rows so far`),
    });
    this.logger.log(
      `client import by user ${userId}: ${summary.rows} rows, ${summary.imported} imported (${summary.unchanged} unchanged), ` +
        `${summary.errorCount} with errors, in ${Date.now() - started} ms`,
    );
    return summary;
  }
}
