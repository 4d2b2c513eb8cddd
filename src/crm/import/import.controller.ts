import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { Roles } from '../../auth/roles.decorator';
import { DomainError } from '../../common/domain-error';
import type { ImportSummary } from './client-import';
import { ClientImportService } from './client-import.service';

const CSV_TYPES = ['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel', 'application/octet-stream'];

@ApiTags('import')
@ApiBearerAuth()
@Controller('api/import')
export class ImportController {
  constructor(private readonly imports: ClientImportService) {}

  /**
   * The client base as a CSV body (`Content-Type: text/csv`), streamed: no size limit, no upload form.
   * Columns: company, company_tags, abc, company_phones, contact, position, contact_phones (or phone), responsible_email.
   */
  @Roles('head_of_sales')
  @Post('clients')
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @ApiOkResponse({ description: 'Counts of what was created/updated, and every broken row with its line number' })
  importClients(@Req() request: Request, @CurrentUser() user: AuthUser): Promise<ImportSummary> {
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!CSV_TYPES.includes(type)) {
      request.resume();
      throw new DomainError('invalid', `send the CSV file as the request body with Content-Type: text/csv (got ${type || 'none'})`);
    }
    return this.imports.importCsv(request, user.id);
  }
}
