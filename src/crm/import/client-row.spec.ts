import { mapHeader, multilineColumns, parseClientRow } from './client-row';

const columns = mapHeader(['Компания', 'Теги', 'ABC', 'Телефон компании', 'Контактное лицо', 'Должность', 'Телефон', 'Ответственный', 'Комментарий']);
const row = (cells: Partial<Record<'company' | 'tags' | 'abc' | 'companyPhones' | 'contact' | 'position' | 'phones' | 'email' | 'comment', string>>): string[] => [
  cells.company ?? '',
  cells.tags ?? '',
  cells.abc ?? '',
  cells.companyPhones ?? '',
  cells.contact ?? '',
  cells.position ?? '',
  cells.phones ?? '',
  cells.email ?? '',
  cells.comment ?? '',
];
const messageOf = (cells: string[]): string | null => {
  const result = parseClientRow(cells, columns, 'RU');
  return result.ok === false ? result.message : null;
};

describe('parseClientRow', () => {
  it('normalizes a good row', () => {
    expect(parseClientRow(row({ company: ' Ремстрой ', tags: 'VIP|постоянный;vip', abc: 'а', companyPhones: '8 495 123-45-67', contact: 'Анна', phones: '+7 916 123-45-67', email: 'Anna@Agency.test' }), columns, 'RU')).toEqual({
      ok: true,
      row: {
        company: 'Ремстрой',
        tags: ['VIP', 'постоянный'],
        abc: 'A',
        companyPhones: [{ e164: '+74951234567', raw: '8 495 123-45-67' }],
        contact: 'Анна',
        position: null,
        contactPhones: [{ e164: '+79161234567', raw: '+7 916 123-45-67' }],
        responsibleEmail: 'anna@agency.test',
      },
    });
  });

  it.each([
    ['NUL in a name', row({ company: 'Ром\u0000ашка' }), 'company: contains the control character U+0000 at position 4; remove it from the file (the row is skipped)'],
    ['a C1 control (a stray 0x98 byte in Windows-1251)', row({ contact: 'Анна\u0098' }), 'contact: contains the control character U+0098 at position 5; remove it from the file (the row is skipped)'],
    ['U+FFFD, a letter lost by an earlier conversion', row({ position: 'Дир\uFFFDктор', contact: 'Анна' }), 'position: contains the replacement character U+FFFD (a letter lost by an earlier conversion) at position 4; remove it from the file (the row is skipped)'],
    ['a contact name longer than REST allows', row({ contact: 'я'.repeat(301) }), 'contact: name must be shorter than or equal to 300 characters (this one has 301)'],
    ['more tags than REST allows', row({ company: 'X', tags: Array.from({ length: 31 }, (_, i) => `t${i}`).join('|') }), 'company_tags: tags must contain no more than 30 elements'],
    ['a phone text longer than REST allows', row({ company: 'X', companyPhones: `+7 495 123-45-67${' '.repeat(30)}доб. 1` }), 'company_phones: each value in phones must be shorter than or equal to 40 characters'],
    ['a bad phone', row({ company: 'X', companyPhones: '12-34' }), 'bad phone: company_phones[0] is not a phone number: "12-34"'],
    ['neither company nor contact', row({ tags: 'x' }), 'missing name: the row has neither a company nor a contact'],
  ])('refuses %s', (_name, cells, message) => {
    expect(messageOf(cells)).toBe(message);
  });

  it('refuses a lone surrogate (not text at all)', () => {
    expect(messageOf(row({ company: 'A\uD800B' }))).toBe('company: contains a lone surrogate U+D800 at position 2; remove it from the file (the row is skipped)');
    expect(messageOf(row({ company: 'Эмодзи \u{1F600} ок' }))).toBeNull();
  });

  it('ignores control characters in columns it does not read, and tabs/line breaks are text', () => {
    expect(messageOf(row({ company: 'Табуляция\tок', comment: 'мусор\u0000' }))).toBeNull();
  });

  it('a blank row is empty, not an error', () => {
    expect(parseClientRow(row({}), columns, 'RU')).toEqual({ ok: 'empty' });
  });

  it('only lists and columns it does not read may hold line breaks', () => {
    const mayBreak = multilineColumns(columns);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map(mayBreak)).toEqual([false, true, false, true, false, false, true, false, true]);
  });
});
