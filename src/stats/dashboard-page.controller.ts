import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { packageFile, pageFile, StaticPage, StaticPageController } from '../common/static-page';

/**
 * Serves /dashboard (static HTML + vanilla JS; data from /api/stats with the user's bearer token,
 * which the page gets from /api/auth/login). The page itself needs no login; the API does.
 */
@ApiExcludeController()
@Public()
@Controller('dashboard')
export class DashboardPageController extends StaticPageController {
  protected readonly page = new StaticPage('dashboard', {
    assets: {
      'dashboard.js': pageFile('dashboard', 'dashboard.js'),
      'dashboard.texts.js': pageFile('dashboard', 'dashboard.texts.js'),
      'dashboard.css': pageFile('dashboard', 'dashboard.css'),
      'chart.umd.min.js': packageFile('chart.js', 'chart.umd.min.js'),
    },
  });
}
