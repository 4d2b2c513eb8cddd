import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { User } from '../../auth/users/user.entity';
import { DomainError } from '../../common/domain-error';
import { AppConfig } from '../../config';
import { preparedQuery } from '../../database/prepared';
import { AmiService } from '../ami/ami.service';
import { normalizePhone } from '../../common/phone-number';
import { readRows, text } from '../../common/sql-rows';
import { displayNameOf, isDialableDevice, sanitizeDisplayName } from './route-plan';

export interface OriginateRequest {
  number?: string;
  contactId?: string;
  extension?: string;
}

export interface OriginateResult {
  status: 'originating';
  channel: string;
  number: string;
  extension: string;
}

/** What a typed number may look like before it is parsed: digits and the usual separators only. */
const TYPED_NUMBER = /^\+?[0-9 ()\-.]{3,40}$/;

const CONTACT_PHONE = {
  name: 'originate_contact_phone_v1',
  text: `
SELECT p.e164, ct.name AS contact, co.name AS company
FROM contacts ct
LEFT JOIN companies co ON co.id = ct.company_id
LEFT JOIN LATERAL (SELECT e164 FROM phone_numbers WHERE contact_id = ct.id ORDER BY e164 LIMIT 1) p ON true
WHERE ct.id = $1`,
};

const NUMBER_OWNER = {
  name: 'originate_number_owner_v1',
  text: `
SELECT ct.name AS contact, co.name AS company
FROM phone_numbers p
LEFT JOIN contacts ct ON ct.id = p.contact_id
LEFT JOIN companies co ON co.id = coalesce(ct.company_id, p.company_id)
WHERE p.e164 = $1`,
};

const ORIGINATE_TIMEOUT_MS = 30_000;
const WINDOW_MS = 60_000;

/**
 * Click-to-call: rings the manager's own phone first (AMI Originate, async), and once it is
 * answered the click-to-call context dials the client. The number reaches AMI as digits only.
 */
/** The extensions that reach a user (`extension_owners`). */
const OWN_EXTENSIONS = 'SELECT extension FROM extension_owners WHERE user_id = $1';

@Injectable()
export class OriginateService {
  private readonly logger = new Logger(OriginateService.name);
  private readonly recent = new Map<string, number[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly ami: AmiService,
  ) {}

  async originate(userId: string, input: OriginateRequest): Promise<OriginateResult> {
    const hasNumber = input.number !== undefined && input.number !== '';
    if (hasNumber === (input.contactId !== undefined)) {
      throw new DomainError('invalid', 'give either number or contactId', { field: 'number' });
    }
    const user = await this.dataSource.getRepository(User).findOneBy({ id: userId, active: true });
    if (!user) throw new DomainError('forbidden', 'your user is inactive');
    // Only an extension that reaches this user (the one rule): the call is credited to its owner.
    const owned = readRows('own extensions', await this.dataSource.query(OWN_EXTENSIONS, [userId]), { extension: text }).map((row) => row.extension);
    const extension = input.extension ?? user.extensions.find((own) => owned.includes(own));
    if (extension === undefined) throw new DomainError('invalid', 'you have no extension to ring first', { field: 'extension' });
    if (!owned.includes(extension)) {
      throw new DomainError('forbidden', `extension ${extension} is not yours`, { field: 'extension' });
    }
    const target = hasNumber ? await this.fromNumber(input.number as string) : await this.fromContact(input.contactId as string);
    this.takeSlot(userId);
    if (!this.ami.enabled || this.ami.report().state !== 'connected') {
      throw new DomainError('unavailable', 'the PBX link (AMI) is down; try again shortly');
    }

    const digits = target.e164.replace(/\D/g, '');
    const channel = channelFor(extension, user.devices);
    const name = sanitizeDisplayName(target.name) || `+${digits}`;
    const response = await this.ami
      .action({
        Action: 'Originate',
        Channel: channel,
        Context: this.config.CLICK_TO_CALL_CONTEXT,
        Exten: digits,
        Priority: 1,
        CallerID: `${name} <${digits}>`,
        Timeout: ORIGINATE_TIMEOUT_MS,
        Async: 'true',
        Variable: [`SWITCHBOARD_ORIGINATOR=${user.id}`, `SWITCHBOARD_EXTENSION=${extension}`, `SWITCHBOARD_TARGET=${digits}`],
      })
      .catch((error: Error) => {
        this.logger.warn(`originate for user ${user.id} (${channel} → ${digits}) not sent: ${error.message}`);
        throw new DomainError('unavailable', 'the PBX did not take the call request; try again shortly');
      });
    if (response.Response !== 'Success') {
      this.logger.warn(`originate for user ${user.id} (${channel} → ${digits}) refused: ${response.Message ?? 'no reason'}`);
      throw new DomainError('unavailable', `the PBX refused the call: ${response.Message ?? 'no reason'}`);
    }
    this.logger.log(`originate for user ${user.id}: ${channel} → ${digits}`);
    return { status: 'originating', channel, number: target.e164, extension };
  }

  private async fromNumber(raw: string): Promise<{ e164: string; name: string }> {
    const e164 = TYPED_NUMBER.test(raw.trim()) ? normalizePhone(raw, this.config.DEFAULT_REGION) : null;
    if (!e164 || !/^\+\d{8,15}$/.test(e164)) throw new DomainError('invalid', 'number is not a phone number', { field: 'number' });
    const [owner] = await preparedQuery<{ contact: string | null; company: string | null }>(this.dataSource, NUMBER_OWNER, [e164]);
    return { e164, name: owner ? displayNameOf(owner.company, owner.contact) : '' };
  }

  private async fromContact(contactId: string): Promise<{ e164: string; name: string }> {
    const [row] = await preparedQuery<{ e164: string | null; contact: string; company: string | null }>(this.dataSource, CONTACT_PHONE, [contactId]);
    if (!row) throw new DomainError('not_found', `contact ${contactId} not found`, { field: 'contactId' });
    if (!row.e164) throw new DomainError('invalid', 'the contact has no phone number', { field: 'contactId' });
    return { e164: row.e164, name: displayNameOf(row.company, row.contact) };
  }

  /** At most ORIGINATE_PER_MINUTE requests per user in any minute. */
  private takeSlot(userId: string): void {
    const now = Date.now();
    const times = (this.recent.get(userId) ?? []).filter((at) => now - at < WINDOW_MS);
    if (times.length >= this.config.ORIGINATE_PER_MINUTE) {
      this.recent.set(userId, times);
      const retryAfter = Math.ceil((WINDOW_MS - (now - times[0])) / 1000);
      throw new DomainError('rate_limited', `at most ${this.config.ORIGINATE_PER_MINUTE} calls a minute; retry in ${retryAfter} s`, { retryAfter });
    }
    times.push(now);
    this.recent.set(userId, times);
    if (this.recent.size > 10_000) this.recent.clear();
  }
}

/** The device of that extension among the user's devices (`PJSIP/101`, `Local/101@…`), else PJSIP/<ext>. */
export function channelFor(extension: string, devices: readonly string[]): string {
  const own = devices.find((device) => isDialableDevice(device) && new RegExp(`/${extension}(@|$)`).test(device));
  return own ?? `PJSIP/${extension}`;
}
