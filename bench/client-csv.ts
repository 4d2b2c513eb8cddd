import * as iconv from 'iconv-lite';

/**
 * A client base as Excel in Russia saves it ("CSV (разделители — точка с запятой)": Windows-1251,
 * no BOM, `;`, CRLF): one company with a phone and one contact with a mobile per row, every fifth
 * company tagged. 100k rows ≈ 7 MB. Shared by bench:import and the 100k e2e test.
 */
export function clientCsvText(rows: number, prefix = 'Компания'): string {
  const lines = ['Компания;Теги;ABC;Телефон компании;Контактное лицо;Должность;Телефон'];
  for (let i = 0; i < rows; i++) {
    const n = String(i).padStart(6, '0');
    lines.push(`${prefix} ${n};${i % 5 === 0 ? 'постоянный' : ''};${'ABC'[i % 3]};+7 495 1${n};Петров ${n};Менеджер;8 916 1${n}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function clientCsvCp1251(rows: number, prefix?: string): Buffer {
  return iconv.encode(clientCsvText(rows, prefix), 'win1251');
}
