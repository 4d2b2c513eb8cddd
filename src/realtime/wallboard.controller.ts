import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController, ApiTags } from '@nestjs/swagger';
import { Public, Roles, SUPERVISORS } from '../auth/roles.decorator';
import { pageFile, packageFile, StaticPage, StaticPageController } from '../common/static-page';
import type { WallboardView } from './wallboard';
import { WallboardService } from './wallboard.service';

/** GET /api/wallboard: every person's live state and the calls waiting now (supervisors). */
@ApiTags('wallboard')
@ApiBearerAuth()
@Controller('api/wallboard')
@Roles(...SUPERVISORS)
export class WallboardController {
  constructor(private readonly wallboard: WallboardService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  view(): Promise<WallboardView> {
    return this.wallboard.view();
  }
}

/** The /wallboard page (plain HTML/CSS/JS; its data needs a supervisor's login). */
@ApiExcludeController()
@Public()
@Controller('wallboard')
export class WallboardPageController extends StaticPageController {
  protected readonly page = new StaticPage('wallboard', {
    assets: {
      'wallboard.js': pageFile('wallboard', 'wallboard.js'),
      'wallboard.texts.js': pageFile('wallboard', 'wallboard.texts.js'),
      'wallboard.css': pageFile('wallboard', 'wallboard.css'),
      'libphonenumber.js': packageFile('libphonenumber-js', 'bundle/libphonenumber-min.js'),
    },
    connectSrc: ['ws:', 'wss:'],
  });
}
