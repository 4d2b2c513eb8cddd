import * as iconv from 'iconv-lite';

/**
 * A client base as Excel in Russia saves it ("CSV (разделители — точка с запятой)": Windows-1251,
 * no BOM, `;`, CRLF): per row a company with a phone, every fifth tagged, and (unless
 * `contacts: false`) a contact with a mobile. 100k rows ≈ 7.4 MB (≈ 4 MB without contacts).
 * Shared by bench:import and the 100k e2e test.
 */
export function clientCsvText(rows: number, prefix = 'Компания', options: { contacts?: boolean } = {}): string {
  const contacts = options.contacts ?? true;
  const lines = [contacts ? 'Компания;Теги;ABC;Телефон компании;Контактное лицо;Должность;Телефон' : 'Компания;Теги;ABC;Телефон компании'];
  for (let i = 0; i < rows; i++) {
    const n = String(i).padStart(6, '0');
    const company = `${prefix} ${n};${i % 5 === 0 ? 'постоянный' : ''};${'ABC'[i % 3]};+7 495 1${n}`;
    lines.push(contacts ? `${company};Петров ${n};Менеджер;8 916 1${n}` : company);
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function clientCsvCp1251(rows: number, prefix?: string, options?: { contacts?: boolean }): Buffer {
  return iconv.encode(clientCsvText(rows, prefix, options), 'win1251');
}
