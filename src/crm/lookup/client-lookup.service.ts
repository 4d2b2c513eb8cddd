import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { AppConfig } from '../../config';
import { preparedQuery } from '../../database/prepared';
import { normalizePhone } from '../../common/phone-number';
import { CLIENT_CARD_STATEMENT, toClientCard, type ClientCard, type ClientCardRow } from './client-card';
import { CLIENT_FILE_STATEMENT, toClientFile, type ClientFile, type ClientFileRow } from './client-file';

@Injectable()
export class ClientLookupService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** The card for a number in any format; a 400 when it is not a phone number at all. */
  async lookup(raw: string): Promise<ClientCard> {
    return this.cardFor(this.phoneOf(raw));
  }

  /** The client card page (every deal, task and call of the number's owner) for a number in any format. */
  async file(raw: string): Promise<ClientFile> {
    const phone = this.phoneOf(raw);
    const rows = await preparedQuery<ClientFileRow>(this.dataSource, CLIENT_FILE_STATEMENT, [phone]);
    return toClientFile(phone, rows[0]);
  }

  /** E.164 of a number typed in any format; a 400 when it is not a phone number at all. */
  private phoneOf(raw: string): string {
    const phone = normalizePhone(raw, this.config.DEFAULT_REGION);
    if (!phone) throw new DomainError('invalid', 'phone is not a phone number', { field: 'phone' });
    return phone;
  }

  /** The card for an E.164 number (callers of the realtime side use this directly). */
  async cardFor(phone: string): Promise<ClientCard> {
    const rows = await preparedQuery<ClientCardRow>(this.dataSource, CLIENT_CARD_STATEMENT, [phone]);
    return toClientCard(phone, rows[0]);
  }
}
