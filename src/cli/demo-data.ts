import type { AbcCategory } from '../crm/companies/abc-category';
import type { StageId } from '../crm/deals/stage-rules';

/** Plausible Russian advertising-agency clients, generated from a fixed seed (pure: same input → same data). */

const ROOTS = [
  'Ремстрой', 'Вектор', 'Альфа', 'Северный ветер', 'Стройинвест', 'Оптима', 'Гранит', 'Меридиан', 'Атлант', 'Лидер',
  'Восход', 'Профиль', 'Интеграл', 'Мегаполис', 'Капитал', 'Эталон', 'Горизонт', 'Феникс', 'Спектр', 'Ладога',
  'Волга', 'Уралсиб', 'Сибирь', 'Кристалл', 'Орион', 'Полюс', 'Квартал', 'Дельта', 'Вершина', 'Радуга',
  'Пеликан', 'Зенит', 'Березка', 'Акварель', 'Глобус', 'Надежда', 'Старт', 'Терра', 'Бриз', 'Кедр',
];
const KINDS = ['Трейд', 'Групп', 'Медиа', 'Логистик', 'Девелопмент', 'Принт', 'Авто', 'Фуд', 'Клиник', 'Строй', 'Тур', 'Маркет', 'Агро', 'Фарм', 'Софт'];
const FORMS = ['ООО', 'ООО', 'ООО', 'АО', 'ИП', 'ГК', ''];
const TAGS = ['постоянный', 'VIP', 'тендер', 'сезонный', 'рекомендация', 'выставки', 'digital', 'наружка', 'холодный'];
const MALE = ['Алексей', 'Дмитрий', 'Сергей', 'Андрей', 'Игорь', 'Павел', 'Олег', 'Михаил', 'Константин', 'Николай', 'Артём', 'Владимир'];
const FEMALE = ['Анна', 'Мария', 'Ольга', 'Елена', 'Наталья', 'Ирина', 'Татьяна', 'Светлана', 'Юлия', 'Екатерина', 'Вера', 'Дарья'];
const SURNAMES = ['Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов', 'Волков', 'Алексеев', 'Лебедев', 'Семёнов', 'Егоров', 'Павлов', 'Козлов', 'Степанов', 'Николаев', 'Орлов'];
const POSITIONS = ['Генеральный директор', 'Директор по маркетингу', 'Маркетолог', 'Бренд-менеджер', 'Менеджер по закупкам', 'Коммерческий директор', 'Главный бухгалтер', 'Руководитель отдела рекламы', 'PR-менеджер', 'Офис-менеджер', 'Собственник'];
const SERVICES = ['Наружная реклама', 'Контекстная реклама', 'SMM на квартал', 'Печать каталога', 'Ролик для ТВ', 'Стенд на выставку', 'Ребрендинг', 'Реклама на радио', 'Промо-акция в ТЦ', 'Сайт-визитка', 'Полиграфия к сезону', 'SEO-продвижение'];
const REFUSALS = ['Бюджет перенесён на следующий квартал', 'Выбрали другое агентство', 'Не устроила цена', 'Проект заморожен'];

/** Stages with weights: most deals are early in the pipeline. */
const STAGES: [StageId, number][] = [
  ['unsorted', 4],
  ['qualified', 5],
  ['meeting_scheduled', 4],
  ['proposal_sent', 4],
  ['invoice_sent', 2],
  ['won', 3],
  ['conditional_refusal', 2],
  ['lost', 1],
];

export interface DemoContact {
  name: string;
  position: string;
  phone: string;
}

export interface DemoDeal {
  title: string;
  stage: StageId;
  budget: number;
  closeReason: string | null;
  /** Unsorted deals with no manager sit in the lead exchange. */
  inLeadExchange: boolean;
  /** Days from now of the deal's task (negative: overdue). */
  taskInDays: number;
  taskTitle: string;
}

export interface DemoCompany {
  name: string;
  tags: string[];
  abc: AbcCategory | null;
  /** Index into the managers (101–103), who is responsible. */
  manager: number;
  phone: string;
  contacts: DemoContact[];
  deal: DemoDeal | null;
}

/** mulberry32: a tiny seeded generator, so the demo is the same on every machine. */
export function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function demoCompanies(count: number, seed = 2026): DemoCompany[] {
  const random = randomFrom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const names = uniqueNames(count, random);
  return names.map((name, index) => {
    const contacts = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, j) => demoPerson(pick, random, `+7916${String(2_000_000 + index * 3 + j)}`));
    const tags = TAGS.filter(() => random() < 0.18);
    const abcRoll = random();
    const abc: AbcCategory | null = abcRoll < 0.2 ? 'A' : abcRoll < 0.5 ? 'B' : abcRoll < 0.9 ? 'C' : null;
    const deal = random() < 0.55 ? demoDeal(pick, random, name) : null;
    return { name, tags, abc, manager: Math.floor(random() * 3), phone: `+7495${String(1_000_000 + index)}`, contacts, deal };
  });
}

/** People calling without a company (private clients). */
export function demoPrivateClients(count: number, seed = 7): DemoContact[] {
  const random = randomFrom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  return Array.from({ length: count }, (_, i) => ({ ...demoPerson(pick, random, `+7903${String(3_000_000 + i)}`), position: 'Частный клиент' }));
}

function uniqueNames(count: number, random: () => number): string[] {
  const all: string[] = [];
  for (const root of ROOTS) for (const kind of KINDS) all.push(`${root} ${kind}`);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, Math.min(count, all.length)).map((name) => {
    const form = FORMS[Math.floor(random() * FORMS.length)];
    return form ? `${form} «${name}»` : name;
  });
}

function demoPerson(pick: <T>(list: readonly T[]) => T, random: () => number, phone: string): DemoContact {
  const female = random() < 0.5;
  const surname = pick(SURNAMES);
  return { name: `${pick(female ? FEMALE : MALE)} ${female ? femaleSurname(surname) : surname}`, position: pick(POSITIONS), phone };
}

function femaleSurname(surname: string): string {
  return surname.endsWith('в') || surname.endsWith('н') ? `${surname}а` : surname;
}

function demoDeal(pick: <T>(list: readonly T[]) => T, random: () => number, company: string): DemoDeal {
  const total = STAGES.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  const stage = STAGES.find(([, weight]) => (roll -= weight) < 0)?.[0] ?? 'qualified';
  const service = pick(SERVICES);
  return {
    title: `${service} — ${company}`,
    stage,
    budget: Math.round((50_000 + random() * 2_950_000) / 1000) * 1000,
    closeReason: stage === 'conditional_refusal' || stage === 'lost' ? pick(REFUSALS) : null,
    inLeadExchange: stage === 'unsorted' && random() < 0.6,
    taskInDays: Math.floor(random() * 10) - 2,
    taskTitle: stage === 'unsorted' ? 'Перезвонить и квалифицировать' : stage === 'proposal_sent' ? 'Узнать решение по КП' : `Созвониться: ${service.toLowerCase()}`,
  };
}

/**
 * The known callers of the recordings `npm run demo` plays (test/fixtures/ami/lab-directory.json,
 * `knownCallers`): the same numbers and responsible managers (index 0–2 = 101–103), as Russian
 * clients with open deals, so the recorded calls pop cards with a company, a responsible manager and
 * deals. Names are not of the generated "<root> <kind>" form, so they never meet a generated company.
 */
export const RECORDED_CLIENTS: readonly DemoCompany[] = [
  {
    name: 'ООО «Ремстрой»',
    tags: ['постоянный', 'наружка'],
    abc: 'A',
    manager: 0,
    phone: '+74957000001',
    contacts: [{ name: 'Алексей Смирнов', position: 'Генеральный директор', phone: '+79161234567' }],
    deal: { title: 'Наружная реклама — ООО «Ремстрой»', stage: 'proposal_sent', budget: 850_000, closeReason: null, inLeadExchange: false, taskInDays: 1, taskTitle: 'Узнать решение по КП' },
  },
  {
    name: 'МВЦ «Великие реки»',
    tags: ['выставки'],
    abc: 'B',
    manager: 0,
    phone: '+74951234567',
    contacts: [{ name: 'Олег Кузнецов', position: 'Директор по маркетингу', phone: '+79167000002' }],
    deal: { title: 'Стенд на выставку — МВЦ «Великие реки»', stage: 'meeting_scheduled', budget: 1_200_000, closeReason: null, inLeadExchange: false, taskInDays: 2, taskTitle: 'Встреча: макет стенда' },
  },
  {
    name: 'ООО «Винтик»',
    tags: ['digital'],
    abc: 'B',
    manager: 1,
    phone: '+74957000003',
    contacts: [{ name: 'Ирина Попова', position: 'Маркетолог', phone: '+79035550101' }],
    deal: { title: 'Контекстная реклама — ООО «Винтик»', stage: 'qualified', budget: 240_000, closeReason: null, inLeadExchange: false, taskInDays: 0, taskTitle: 'Созвониться: контекстная реклама' },
  },
  {
    name: 'Типография «Север-Принт»',
    tags: ['постоянный'],
    abc: 'A',
    manager: 2,
    phone: '+74957000004',
    contacts: [{ name: 'Павел Лебедев', position: 'Коммерческий директор', phone: '+79266660303' }],
    deal: { title: 'Полиграфия к сезону — «Север-Принт»', stage: 'invoice_sent', budget: 380_000, closeReason: null, inLeadExchange: false, taskInDays: 1, taskTitle: 'Проверить оплату счёта' },
  },
  {
    name: 'ТД «Оптима»',
    tags: ['тендер'],
    abc: 'B',
    manager: 1,
    phone: '+74957000005',
    contacts: [{ name: 'Мария Козлова', position: 'Бренд-менеджер', phone: '+79104445566' }],
    deal: { title: 'SMM на квартал — ТД «Оптима»', stage: 'proposal_sent', budget: 450_000, closeReason: null, inLeadExchange: false, taskInDays: -1, taskTitle: 'Узнать решение по КП' },
  },
  {
    name: 'РА «Медиа Плюс»',
    tags: ['рекомендация'],
    abc: 'C',
    manager: 2,
    phone: '+74957000006',
    contacts: [{ name: 'Сергей Новиков', position: 'Руководитель отдела рекламы', phone: '+79997770011' }],
    deal: { title: 'Реклама на радио — РА «Медиа Плюс»', stage: 'qualified', budget: 150_000, closeReason: null, inLeadExchange: false, taskInDays: 3, taskTitle: 'Созвониться: реклама на радио' },
  },
  {
    name: 'АО «Стройинвест»',
    tags: ['VIP', 'постоянный'],
    abc: 'A',
    manager: 0,
    phone: '+74957778899',
    contacts: [{ name: 'Ольга Морозова', position: 'Собственник', phone: '+79167000007' }],
    deal: { title: 'Ребрендинг — АО «Стройинвест»', stage: 'meeting_scheduled', budget: 2_400_000, closeReason: null, inLeadExchange: false, taskInDays: 2, taskTitle: 'Встреча: презентация концепций' },
  },
];
