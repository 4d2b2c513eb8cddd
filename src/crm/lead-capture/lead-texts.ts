/** Languages of what lead capture writes into the CRM (deal and task titles): `CRM_LANGUAGE`. */
export const CRM_LANGUAGES = ['ru', 'en'] as const;
export type CrmLanguage = (typeof CRM_LANGUAGES)[number];

export interface LeadTexts {
  /** Deal of a new number that called and was missed (a lead in Unsorted). */
  missedCallDeal(phone: string): string;
  /** Deal of a new number that called and got through. */
  answeredCallDeal(phone: string): string;
  /** Callback task of a missed call. */
  callbackTask(phone: string): string;
}

export const LEAD_TEXTS: Readonly<Record<CrmLanguage, LeadTexts>> = {
  ru: {
    missedCallDeal: (phone) => `Пропущенный звонок с ${phone}`,
    answeredCallDeal: (phone) => `Звонок с ${phone}`,
    callbackTask: (phone) => `Перезвонить ${phone}`,
  },
  en: {
    missedCallDeal: (phone) => `Missed call from ${phone}`,
    answeredCallDeal: (phone) => `Call from ${phone}`,
    callbackTask: (phone) => `Call back ${phone}`,
  },
};
