import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../auth/roles.decorator';
import { packageFile, pageFile, StaticPage, StaticPageController } from '../../common/static-page';

/**
 * Serves /admin: people, lines and escalation chains, working hours, "test this route" and the
 * last decisions. The page needs no login; its data does (admin to edit, supervisors to look).
 */
@ApiExcludeController()
@Public()
@Controller('admin')
export class AdminPageController extends StaticPageController {
  protected readonly page = new StaticPage('admin', {
    assets: {
      'admin.js': pageFile('admin', 'admin.js'),
      'admin.texts.js': pageFile('admin', 'admin.texts.js'),
      'admin.css': pageFile('admin', 'admin.css'),
      'libphonenumber.js': packageFile('libphonenumber-js', 'bundle/libphonenumber-min.js'),
    },
  });
}
