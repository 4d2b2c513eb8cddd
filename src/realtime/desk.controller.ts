import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { packageFile, pageFile, StaticPage, StaticPageController } from '../common/static-page';

/**
 * Serves the desk page at /desk. The page logs in with the REST API and keeps its token in
 * sessionStorage; the page itself needs no login. A strict CSP forbids inline scripts, so even a
 * rendering mistake could not run a caller's HTML; socket.io connects over ws:/wss:.
 */
@ApiExcludeController()
@Public()
@Controller('desk')
export class DeskController extends StaticPageController {
  protected readonly page = new StaticPage('desk', {
    assets: {
      'desk.js': pageFile('desk', 'desk.js'),
      'desk.texts.js': pageFile('desk', 'desk.texts.js'),
      'desk.css': pageFile('desk', 'desk.css'),
      // Phone numbers written as people write them (the installed package's own browser bundle; no CDN).
      'libphonenumber.js': packageFile('libphonenumber-js', 'bundle/libphonenumber-min.js'),
    },
    connectSrc: ['ws:', 'wss:'],
  });
}
