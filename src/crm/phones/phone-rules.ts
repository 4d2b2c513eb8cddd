import { DomainError } from '../../common/domain-error';
import { normalizePhone } from '../../common/phone-number';

/** Whose numbers are being set: a company's or a contact's, never both. */
export type PhoneOwner = { companyId: string; contactId?: undefined } | { contactId: string; companyId?: undefined };

/** A number as given (`raw`) and normalized (`e164`, the one the database keys on). */
export interface OwnedPhone {
  e164: string;
  raw: string;
}

/** Who a stored number belongs to (a phone_numbers row). */
export interface PhoneHolder {
  e164: string;
  companyId: string | null;
  contactId: string | null;
}

/** Normalizes raw numbers, naming the first bad one (field e.g. `phones[1]`) in a 400. */
export function normalizePhones(raws: string[], region: string, field = 'phones'): OwnedPhone[] {
  const seen = new Set<string>();
  const result: OwnedPhone[] = [];
  raws.forEach((raw, index) => {
    const e164 = normalizePhone(raw, region);
    if (!e164) throw new DomainError('invalid', `${field}[${index}] is not a phone number: ${JSON.stringify(raw.slice(0, 40))}`, { field: `${field}[${index}]` });
    if (!seen.has(e164)) result.push({ e164, raw });
    seen.add(e164);
  });
  return result;
}

/** A stored number is the owner's own (giving it to them again changes nothing). */
export function ownsPhone(owner: PhoneOwner, phone: PhoneHolder): boolean {
  return owner.companyId ? phone.companyId === owner.companyId : phone.contactId === owner.contactId;
}

/**
 * What giving `phones` to `owner` does, given the stored rows of those numbers (`existing`): the
 * first number someone else owns (a conflict: nothing is written), else the numbers to insert.
 */
export function planPhoneAssignment(
  owner: PhoneOwner,
  phones: OwnedPhone[],
  existing: PhoneHolder[],
): { ok: true; fresh: OwnedPhone[] } | { ok: false; taken: PhoneHolder } {
  const taken = existing.find((phone) => !ownsPhone(owner, phone));
  if (taken) return { ok: false, taken };
  const known = new Set(existing.map((phone) => phone.e164));
  return { ok: true, fresh: phones.filter((phone) => !known.has(phone.e164)) };
}
