import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../auth/roles.decorator';
import { pageFile, StaticPage, StaticPageController } from '../../common/static-page';

/**
 * Serves /import: the client-base import screen for admins and heads of sales (choose a file,
 * upload, watch the job, read the report). The page logs in with the REST API; the page itself
 * needs no login, its API calls do.
 */
@ApiExcludeController()
@Public()
@Controller('import')
export class ImportPageController extends StaticPageController {
  protected readonly page = new StaticPage('import', {
    assets: {
      'import.js': pageFile('import',
      'import.js'),
      'import.texts.js': pageFile('import',
      'import.texts.js'),
      'import.css': pageFile('import',
      'import.css'),
    },
  });
}
