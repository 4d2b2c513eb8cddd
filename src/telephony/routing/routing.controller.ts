import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../../auth/roles.decorator';
import { withoutForbiddenCharacters } from '../../common/text-safety';
import { RoutingService } from './routing.service';

/**
 * First value of a query parameter as a string, cut to `max` characters ('' when absent or odd),
 * without characters no text field may carry (a NUL in a caller id would lose the whole batch of decisions).
 */
function param(request: Request, name: string, max: number): string {
  const raw = request.query[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' ? withoutForbiddenCharacters(value).slice(0, max) : '';
}

/**
 * The dialplan's endpoint (func_curl): `GET /api/asterisk/route?caller=&did=&uniqueid=&linkedid=`, signed
 * (see `authorized`).
 * Answers text/plain in the compact plan format (route-plan.ts) for any caller id — garbage gets
 * the new-caller chain. A wrong token is 403 and a database failure 503, each with a body the
 * dialplan rejects (no `SB1` magic), so its static fallback chain rings people.
 */
@Controller('api/asterisk')
export class RoutingController {
  private readonly logger = new Logger(RoutingController.name);
  private warnedQueryToken = false;

  constructor(private readonly routing: RoutingService) {}

  /**
   * The shipped dialplan sends `X-Switchboard-Signature: sha1("<token>/<uniqueid>")`, so the token
   * is in no Asterisk log line; `X-Switchboard-Token: <token>` suits other clients; `?token=` is the
   * form of older dialplans (Asterisk logs it), accepted this release with a warning.
   */
  private authorized(request: Request): boolean {
    const signature = (request.header('x-switchboard-signature') ?? '').slice(0, 128);
    if (signature !== '') return this.routing.signatureMatches(signature, param(request, 'uniqueid', 64));
    const headerToken = (request.header('x-switchboard-token') ?? '').slice(0, 256);
    if (headerToken !== '') return this.routing.tokenMatches(headerToken);
    const queryToken = param(request, 'token', 256);
    if (queryToken !== '' && !this.warnedQueryToken) {
      this.warnedQueryToken = true;
      this.logger.warn(
        'the dialplan sends the routing token in the URL (?token=), which Asterisk writes into its log; install the current dialplans/switchboard.conf (it signs each request instead). The URL form stops working in the next release',
      );
    }
    return this.routing.tokenMatches(queryToken);
  }

  @Public()
  @ApiExcludeEndpoint()
  @Get('route')
  async route(@Req() request: Request, @Res() response: Response): Promise<void> {
    const startedAt = process.hrtime.bigint();
    response.type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-store');
    if (!this.authorized(request)) {
      this.logger.warn(`route refused: wrong token (from ${request.ip ?? 'unknown'}, uniqueid ${param(request, 'uniqueid', 64) || '-'})`);
      response.status(403).send('ERR forbidden');
      return;
    }
    const uniqueid = param(request, 'uniqueid', 64);
    const linkedid = param(request, 'linkedid', 64);
    try {
      const { body } = await this.routing.route(
        { caller: param(request, 'caller', 64), did: param(request, 'did', 32), uniqueid: uniqueid || null, linkedid: linkedid || null },
        startedAt,
      );
      response.status(200).send(body);
    } catch (error) {
      this.logger.error(`route for uniqueid ${uniqueid || '-'} failed, the dialplan falls back: ${(error as Error).message}`);
      response.status(503).send('ERR unavailable');
    }
  }
}
