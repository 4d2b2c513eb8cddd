import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../../auth/roles.decorator';
import { RoutingService } from './routing.service';

/** First value of a query parameter as a string, cut to `max` characters ('' when absent or odd). */
function param(request: Request, name: string, max: number): string {
  const raw = request.query[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/**
 * The dialplan's endpoint (func_curl): `GET /api/asterisk/route?caller=&did=&uniqueid=&linkedid=&token=`.
 * Answers text/plain in the compact plan format (route-plan.ts) for any caller id — garbage gets
 * the new-caller chain. A wrong token is 403 and a database failure 503, each with a body the
 * dialplan rejects (no `SB1` magic), so its static fallback chain rings people.
 */
@Controller('api/asterisk')
export class RoutingController {
  private readonly logger = new Logger(RoutingController.name);

  constructor(private readonly routing: RoutingService) {}

  @Public()
  @ApiExcludeEndpoint()
  @Get('route')
  async route(@Req() request: Request, @Res() response: Response): Promise<void> {
    const startedAt = process.hrtime.bigint();
    response.type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-store');
    const token = param(request, 'token', 256) || (request.header('x-switchboard-token') ?? '').slice(0, 256);
    if (!this.routing.tokenMatches(token)) {
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
