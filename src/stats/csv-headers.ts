/**
 * The CSV exports' columns: machine names (the default, for scripts and old spreadsheets) or, with
 * `lang=ru|en`, the column titles a person reads in Excel (the dashboard asks in its language).
 */
export const CSV_LANGUAGES = ['ru', 'en'] as const;
export type CsvLanguage = (typeof CSV_LANGUAGES)[number];

const LABELS = {
  linkedid: { en: 'Call id', ru: 'Id звонка' },
  started_at: { en: 'Started', ru: 'Начало' },
  direction: { en: 'Direction', ru: 'Направление' },
  caller: { en: 'Caller', ru: 'Номер звонящего' },
  caller_name: { en: 'Caller ID name', ru: 'Имя в caller ID' },
  line: { en: 'Line', ru: 'Линия' },
  disposition: { en: 'Outcome', ru: 'Итог' },
  abandoned: { en: 'Caller hung up', ru: 'Клиент положил трубку' },
  voicemail: { en: 'Voicemail', ru: 'Голосовая почта' },
  step_reached: { en: 'Step reached', ru: 'Дошёл до шага' },
  answered_by: { en: 'Answered by (extension)', ru: 'Ответил (внутр. номер)' },
  answered_by_name: { en: 'Answered by', ru: 'Ответил' },
  placed_by: { en: 'Placed by', ru: 'Звонил' },
  ring_seconds: { en: 'Ring, s', ru: 'Ожидание, с' },
  talk_seconds: { en: 'Talk, s', ru: 'Разговор, с' },
  hung_up_by: { en: 'Hung up first', ru: 'Первым положил трубку' },
  transferred_to: { en: 'Transferred to', ru: 'Переведён на' },
  recording_file: { en: 'Recording', ru: 'Запись' },
  voicemail_message: { en: 'Voicemail message', ru: 'Сообщение на автоответчике' },
  legs: { en: 'Phones rung (extension:step:outcome)', ru: 'Кому звонил (номер:шаг:итог)' },
  name: { en: 'Name', ru: 'Имя' },
  role: { en: 'Role', ru: 'Роль' },
  department: { en: 'Department', ru: 'Отдел' },
  extensions: { en: 'Extensions', ru: 'Внутренние номера' },
  rang: { en: 'Rang', ru: 'Звонили' },
  answered: { en: 'Answered', ru: 'Ответил' },
  missed: { en: 'Missed', ru: 'Пропустил' },
  missed_caller_hung_up: { en: 'Missed, caller hung up', ru: 'Пропустил, клиент положил трубку' },
  answer_rate: { en: 'Answer rate', ru: 'Доля отвеченных' },
  answer_speed_median_s: { en: 'Answer speed, median, s', ru: 'Скорость ответа, медиана, с' },
  answer_speed_avg_s: { en: 'Answer speed, average, s', ru: 'Скорость ответа, среднее, с' },
  outbound: { en: 'Outbound', ru: 'Исходящих' },
  outbound_answered: { en: 'Outbound answered', ru: 'Исходящих с ответом' },
  talk_total_s: { en: 'Talk total, s', ru: 'Разговоров всего, с' },
  talk_avg_s: { en: 'Talk average, s', ru: 'Разговор в среднем, с' },
  callbacks: { en: 'Callbacks', ru: 'Перезвонов' },
  callback_median_s: { en: 'Callback delay, median, s', ru: 'Перезвон через, медиана, с' },
  overdue_callbacks: { en: 'Overdue callbacks', ru: 'Просроченных перезвонов' },
} as const satisfies Record<string, Record<CsvLanguage, string>>;

export type CsvColumn = keyof typeof LABELS;

export const CALLS_CSV_COLUMNS: readonly CsvColumn[] = [
  'linkedid', 'started_at', 'direction', 'caller', 'caller_name', 'line', 'disposition', 'abandoned', 'voicemail', 'step_reached',
  'answered_by', 'answered_by_name', 'placed_by', 'ring_seconds', 'talk_seconds', 'hung_up_by', 'transferred_to', 'recording_file', 'voicemail_message', 'legs',
];

export const MANAGERS_CSV_COLUMNS: readonly CsvColumn[] = [
  'name', 'role', 'department', 'extensions', 'rang', 'answered', 'missed', 'missed_caller_hung_up', 'answer_rate',
  'answer_speed_median_s', 'answer_speed_avg_s', 'outbound', 'outbound_answered', 'talk_total_s', 'talk_avg_s',
  'callbacks', 'callback_median_s', 'overdue_callbacks',
];

/** The header row: machine names without a language, titles in it with one. */
export function csvHeader(columns: readonly CsvColumn[], lang: CsvLanguage | undefined): string[] {
  return columns.map((column) => (lang ? LABELS[column][lang] : column));
}
