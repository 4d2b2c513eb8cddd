/* The pages' languages, Russian and English, one at a time: plain browser JS, no build, no CDN.
 * A page registers its texts with switchboard.i18n.add({ ru: {...}, en: {...} }) and marks its
 * static HTML with data-i18n="key" (text), data-i18n-placeholder / -title / -aria-label
 * (attributes). The choice is remembered in localStorage; the first time it is Russian when the
 * browser asks for it (navigator.language ru*) or the service's DEFAULT_REGION reads Russian
 * (/page-settings.js), English otherwise. Texts are always put in the page
 * as text (textContent, attributes), never as HTML. */
(function () {
  'use strict';

  var STORAGE_KEY = 'switchboard.lang';
  var LOCALES = { ru: 'ru-RU', en: 'en-US' };
  var TEXTS = {
    ru: {
      'lang.switch': 'Язык',
      'login.title': 'Вход',
      'login.email': 'Email',
      'login.password': 'Пароль',
      'login.submit': 'Войти',
      'login.wrong': 'Неверный email или пароль',
      'login.failed': 'Не удалось войти: {message}',
      'login.again': 'Сеанс истёк: войдите снова',
      'logout': 'Выйти',
      'none': '—',
      'unit.s': '{n} с',
      'unit.min': '{m} мин {s} с',
      'unit.h': '{h} ч {m} мин',
      'step.responsible': 'ответственный',
      'step.department': 'отдел продаж',
      'step.head_of_sales': 'руководитель продаж',
      'step.ceo': 'директор',
      'step.owner': 'владелец',
      'step.voicemail': 'голосовая почта',
    },
    en: {
      'lang.switch': 'Language',
      'login.title': 'Log in',
      'login.email': 'Email',
      'login.password': 'Password',
      'login.submit': 'Log in',
      'login.wrong': 'Wrong email or password',
      'login.failed': 'Could not log in: {message}',
      'login.again': 'Your session expired; please log in again',
      'logout': 'Log out',
      'none': '—',
      'unit.s': '{n} s',
      'unit.min': '{m} min {s} s',
      'unit.h': '{h} h {m} min',
      'step.responsible': 'responsible',
      'step.department': 'sales department',
      'step.head_of_sales': 'head of sales',
      'step.ceo': 'CEO',
      'step.owner': 'owner',
      'step.voicemail': 'voicemail',
    },
  };
  var listeners = [];

  function stored() {
    try { return localStorage.getItem(STORAGE_KEY); } catch (e) { return null; }
  }
  function fromBrowser() {
    var list = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || '']);
    return /^ru\b/i.test(list[0] || '') ? 'ru' : 'en';
  }
  /** The service's defaults (/page-settings.js, loaded before this file): Russian first in RU, BY, KZ, KG. */
  var settings = (window.switchboard && window.switchboard.settings) || {};
  /** A choice made here wins; else Russian when the browser asks for it or the service's region reads Russian; else English. */
  var lang = Object.hasOwn(LOCALES, stored() || '') ? stored() : fromBrowser() === 'ru' || settings.defaultLanguage === 'ru' ? 'ru' : 'en';

  /** Adds a page's texts: { ru: { key: text }, en: { key: text } }; a text is a string or { one, few, many, other }. */
  function add(texts) {
    Object.keys(LOCALES).forEach(function (code) { Object.assign(TEXTS[code], texts[code] || {}); });
    if (document.body) apply(document);
  }

  /** The text of `key` in the current language with {name} filled from `values`; { one, few, many, other } by values.n. */
  function t(key, values) {
    var text = Object.hasOwn(TEXTS[lang], key) ? TEXTS[lang][key] : Object.hasOwn(TEXTS.en, key) ? TEXTS.en[key] : key;
    if (typeof text === 'object') {
      var form = new Intl.PluralRules(LOCALES[lang]).select(Number(values && values.n) || 0);
      text = text[form] || text.other;
    }
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return values && Object.hasOwn(values, name) ? String(values[name]) : whole;
    });
  }

  /** The text of `key` when a language has it, else `fallback` (names the catalog may not know: a custom step, a stage). */
  function tOr(key, fallback, values) {
    return Object.hasOwn(TEXTS[lang], key) || Object.hasOwn(TEXTS.en, key) ? t(key, values) : fallback;
  }
  /** An escalation step's name as people say it ("sales department"); a step of the admin's own as it is named. */
  function step(name) {
    return tOr('step.' + name, name);
  }

  function number(n) {
    return n === null || n === undefined ? t('none') : new Intl.NumberFormat(LOCALES[lang]).format(n);
  }
  function dateTime(value) {
    return value === null || value === undefined || value === '' ? t('none') : new Date(value).toLocaleString(LOCALES[lang]);
  }
  /** A calendar day 'YYYY-MM-DD' (no time zone shift). */
  function date(day) {
    var parts = String(day).split('-').map(Number);
    if (parts.length !== 3 || parts.some(isNaN)) return String(day);
    return new Date(parts[0], parts[1] - 1, parts[2]).toLocaleDateString(LOCALES[lang]);
  }
  function time(value) {
    return new Date(value).toLocaleTimeString(LOCALES[lang]);
  }
  /** A duration in seconds: "42 с", "3 мин 5 с", "1 ч 20 мин". */
  function duration(s) {
    if (s === null || s === undefined) return t('none');
    if (s < 60) return t('unit.s', { n: number(Math.round(s * 10) / 10) });
    if (s < 3600) return t('unit.min', { m: Math.floor(s / 60), s: Math.round(s % 60) });
    return t('unit.h', { h: Math.floor(s / 3600), m: Math.round((s % 3600) / 60) });
  }
  /** An amount (a deal's budget) with digit groups and up to two decimals: "450 000,5". */
  function money(n) {
    if (n === null || n === undefined || n === '' || isNaN(Number(n))) return t('none');
    return new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 2 }).format(Number(n));
  }
  /**
   * A phone number as people write it: E.164 in international format ("+7 916 123-45-67") through
   * libphonenumber-js when the page loaded it (window.libphonenumber); anything else as it came.
   */
  function phone(value) {
    var text = value === null || value === undefined ? '' : String(value);
    var lib = window.libphonenumber;
    if (!lib || !/^\+\d{6,15}$/.test(text)) return text;
    try {
      var parsed = lib.parsePhoneNumber(text);
      return parsed ? parsed.formatInternational() : text;
    } catch (e) {
      return text;
    }
  }
  /** A share 0…1 as a percentage with one decimal. */
  function percent(r) {
    return r === null || r === undefined ? t('none') : new Intl.NumberFormat(LOCALES[lang], { style: 'percent', maximumFractionDigits: 1 }).format(r);
  }

  /** Puts the current language's texts into every marked element under `root`. */
  function apply(root) {
    var scope = root || document;
    document.documentElement.lang = lang;
    scope.querySelectorAll('[data-i18n]').forEach(function (node) { node.textContent = t(node.getAttribute('data-i18n')); });
    ['placeholder', 'title', 'aria-label'].forEach(function (attribute) {
      scope.querySelectorAll('[data-i18n-' + attribute + ']').forEach(function (node) {
        node.setAttribute(attribute, t(node.getAttribute('data-i18n-' + attribute)));
      });
    });
    document.querySelectorAll('[data-lang]').forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.getAttribute('data-lang') === lang));
    });
  }

  /** Switches the language, remembers it, re-applies the static texts and tells the page to redraw. */
  function use(code) {
    if (!Object.hasOwn(LOCALES, code)) return;
    lang = code;
    try { localStorage.setItem(STORAGE_KEY, code); } catch (e) { /* private mode: the choice lasts this page */ }
    apply(document);
    listeners.forEach(function (listener) { listener(code); });
  }

  /** The RU/EN switch: <span class="lang-switch"><button data-lang="ru">…</button><button data-lang="en">…</button></span>. */
  function wireSwitch() {
    document.querySelectorAll('[data-lang]').forEach(function (button) {
      button.addEventListener('click', function () { use(button.getAttribute('data-lang')); });
    });
  }

  window.switchboard = window.switchboard || {};
  window.switchboard.i18n = {
    add: add,
    t: t,
    tOr: tOr,
    step: step,
    apply: apply,
    use: use,
    /** The keys a language has (the catalog test compares Russian with English). */
    keys: function (code) { return Object.hasOwn(TEXTS, code) ? Object.keys(TEXTS[code]) : []; },
    lang: function () { return lang; },
    locale: function () { return LOCALES[lang]; },
    onChange: function (listener) { listeners.push(listener); },
    number: number,
    dateTime: dateTime,
    date: date,
    time: time,
    duration: duration,
    percent: percent,
    money: money,
    phone: phone,
  };
  // The pages load their scripts at the end of <body> or with defer: the switch is in the page by now.
  if (document.body) wireSwitch();
  else document.addEventListener('DOMContentLoaded', wireSwitch);
})();
