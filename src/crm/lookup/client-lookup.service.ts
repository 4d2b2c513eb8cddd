import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { AppConfig } from '../../config';
import { preparedQuery } from '../../database/prepared';
import { normalizePhone } from '../../common/phone-number';
import { CLIENT_CARD_STATEMENT, toClientCard, type ClientCard, type ClientCardRow } from './client-card';

@Injectable()
export class ClientLookupService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** The card for a number in any format; a 400 when it is not a phone number at all. */
  async lookup(raw: string): Promise<ClientCard> {
    const phone = normalizePhone(raw, this.config.DEFAULT_REGION);
    if (!phone) throw new DomainError('invalid', 'phone is not a phone number', { field: 'phone' });
    return this.cardFor(phone);
  }

  /** The card for an E.164 number (callers of the realtime side use this directly). */
  async cardFor(phone: string): Promise<ClientCard> {
    const rows = await preparedQuery<ClientCardRow>(this.dataSource, CLIENT_CARD_STATEMENT, [phone]);
    return toClientCard(phone, rows[0]);
  }
}
