/* The desk page: plain browser JS, no build, no CDN. Every string from the caller, the CRM or
 * the server is put in the page with textContent (via el()), never as HTML.
 * Texts: desk.texts.js; login and language: src/pages/common. */
(function () {
  'use strict';

  var i18n = window.switchboard.i18n;
  var t = i18n.t;
  var SCOPE_KEY = 'switchboard.desk.scope';
  var TASK_KINDS = ['callback', 'call', 'meeting', 'email', 'todo'];
  /** lists: the last data of each list, kept to draw it again in the other language. */
  var state = { scope: sessionStorage.getItem(SCOPE_KEY) || 'own', user: null, socket: null, calls: new Map(), watching: null, link: 'offline', notice: null, lists: {} };
  var $ = function (id) { return document.getElementById(id); };

  var session = window.switchboard.session.create({
    tokenKey: 'switchboard.desk.token',
    beforeLogin: function () {
      if (window.Notification && Notification.permission === 'default') Notification.requestPermission();
    },
    onLogin: function () {
      state.scope = $('watch-all').checked ? 'all' : 'own';
      sessionStorage.setItem(SCOPE_KEY, state.scope);
      start();
    },
    onLogout: function () {
      if (state.socket) { state.socket.disconnect(); state.socket = null; }
      state.calls.clear();
      state.user = null;
      renderPopups();
      $('desk-view').hidden = true;
      $('login-view').hidden = false;
      $('who').textContent = '';
      setLink('offline');
    },
  });

  /** el('div', {class: 'x', onclick: fn}, 'text', childNode…) — strings become text nodes. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
      else if (key === 'class') node.className = value;
      else node.setAttribute(key, String(value));
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) return child.forEach(function (c) { append(node, c); });
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  var clear = window.switchboard.dom.clear;
  /** " · voicemail left (101@default, msg0000)": the message the caller left, as text (never HTML). */
  function voicemailNote(voicemail) {
    if (!voicemail) return '';
    var name = String(voicemail.file).split('/').pop();
    return ' · ' + t('desk.voicemailLeft', { where: voicemail.mailbox ? voicemail.mailbox + ', ' + name : name });
  }

  function fmtTime(value) {
    if (value === null || value === undefined) return '';
    return i18n.dateTime(typeof value === 'number' ? value * 1000 : value);
  }
  function seconds(n) { return i18n.duration(Math.round(Number(n) || 0)); }
  /** A message under the cards: an i18n key with its values, drawn again when the language changes. */
  function notice(key, values) {
    state.notice = key ? { key: key, values: values } : null;
    $('notice').textContent = key ? t(key, values) : '';
  }

  // ---------------------------------------------------------------------------------------- REST
  function api(method, path, body) { return session.json(method, path, { json: body }); }
  function itemsOf(data) { return Array.isArray(data) ? data : (data && Array.isArray(data.items) ? data.items : []); }

  function start() {
    $('login-view').hidden = true;
    $('desk-view').hidden = false;
    $('logout').hidden = false;
    connect();
    refreshLists();
  }

  // ----------------------------------------------------------------------------------- realtime
  function setLink(status) {
    var node = $('link');
    node.className = 'link ' + status;
    state.link = status;
    node.textContent = t('desk.link.' + status);
    document.body.setAttribute('data-link', status);
  }

  function connect() {
    if (state.socket) state.socket.disconnect();
    setLink('connecting');
    var socket = io({ auth: { token: session.token(), scope: state.scope }, reconnectionDelay: 500, reconnectionDelayMax: 5000, transports: ['websocket', 'polling'] });
    state.socket = socket;
    socket.on('connect', function () { setLink('online'); });
    socket.on('disconnect', function (reason) {
      setLink(reason === 'io client disconnect' ? 'offline' : 'connecting');
    });
    socket.io.on('reconnect_attempt', function () { setLink('connecting'); });
    socket.on('connect_error', function (error) {
      if (error && (error.message === 'unauthorized' || error.message === 'forbidden')) {
        session.logout(error.message === 'forbidden' ? 'desk.forbiddenAll' : 'login.again');
        return;
      }
      setLink('connecting');
    });
    socket.on('desk.snapshot', function (snapshot) {
      state.user = snapshot.user;
      state.watching = snapshot.scope;
      renderWho();
      var live = new Set();
      snapshot.calls.forEach(function (item) {
        live.add(item.linkedid);
        upsert(item.linkedid, { card: item.card, status: item.state, person: item.person, answeredBy: item.answeredBy, step: item.step });
      });
      // Popups of calls that ended while this desk was away are dropped.
      state.calls.forEach(function (call, linkedid) { if (!live.has(linkedid) && (call.status === 'ringing' || call.status === 'answered')) state.calls.delete(linkedid); });
      renderPopups();
    });
    socket.on('call.ringing', function (event) {
      var fresh = !state.calls.has(event.linkedid);
      upsert(event.linkedid, { card: event.card, status: 'ringing', person: event.ringing, step: event.step });
      renderPopups();
      if (fresh) notify(event.card);
    });
    socket.on('call.answered', function (event) {
      upsert(event.linkedid, { card: event.card, status: 'answered', answeredBy: event.answeredBy });
      renderPopups();
    });
    socket.on('call.taken', function (event) {
      var call = state.calls.get(event.linkedid);
      if (!call || (state.user && event.answeredBy.userId === state.user.id)) return;
      call.status = 'taken';
      call.answeredBy = event.answeredBy;
      renderPopups();
      setTimeout(function () { dismissIf(event.linkedid, 'taken'); }, 4000);
    });
    socket.on('call.withdrawn', function (event) {
      var call = state.calls.get(event.linkedid);
      if (!call || call.status !== 'ringing') return;
      if (state.scope === 'all') return; // the call goes on elsewhere; a supervisor keeps watching it
      state.calls.delete(event.linkedid);
      renderPopups();
    });
    socket.on('call.ended', function (event) {
      var call = state.calls.get(event.linkedid);
      if (!call) return;
      var mine = state.user && event.answeredBy && event.answeredBy.userId === state.user.id;
      call.status = 'ended';
      call.ended = event;
      renderPopups();
      if (!mine || !event.prompt) setTimeout(function () { dismissIf(event.linkedid, 'ended'); }, 3000);
      refreshLists();
    });
    socket.on('call.missed', function () { refreshLists(); });
  }

  function renderWho() {
    $('who').textContent = state.user ? state.user.name + (state.watching === 'all' ? t('desk.everyCall') : '') : '';
  }

  function upsert(linkedid, patch) {
    var call = state.calls.get(linkedid) || { linkedid: linkedid };
    Object.keys(patch).forEach(function (key) { if (patch[key] !== undefined) call[key] = patch[key]; });
    state.calls.set(linkedid, call);
    return call;
  }
  function dismissIf(linkedid, status) {
    var call = state.calls.get(linkedid);
    if (call && call.status === status && !call.editing) { state.calls.delete(linkedid); renderPopups(); }
  }

  function displayName(card) {
    if (card.contact && card.contact.name) return card.contact.name;
    if (card.company && card.company.name) return card.company.name;
    if (card.callerIdName) return card.callerIdName;
    return card.phone;
  }

  function notify(card) {
    if (!window.Notification || Notification.permission !== 'granted' || document.hasFocus()) return;
    try {
      var body = [card.company && card.company.name, card.phone].filter(Boolean).join(' · ');
      var n = new Notification(t('desk.notifyCalling', { name: displayName(card) }), { body: body, tag: card.linkedid });
      n.onclick = function () { window.focus(); n.close(); };
    } catch (e) { console.warn('notification failed', e); }
  }

  // ------------------------------------------------------------------------------------- popups
  function renderPopups() {
    var root = $('popups');
    clear(root);
    state.calls.forEach(function (call) { if (call.card) root.appendChild(renderPopup(call)); });
    $('no-calls').hidden = state.calls.size > 0;
  }

  function statusText(call) {
    var card = call.card;
    if (call.status === 'ringing') {
      var whose = call.person && state.user && call.person.userId !== state.user.id ? t('desk.phoneOf', { name: call.person.name || call.person.extension }) : '';
      return t(card.direction === 'outbound' ? 'desk.status.outgoing' : 'desk.status.ringing') + whose;
    }
    if (call.status === 'answered') return t('desk.status.talking') + (call.answeredBy && state.user && call.answeredBy.userId !== state.user.id ? ' — ' + (call.answeredBy.name || call.answeredBy.extension) : '');
    if (call.status === 'taken') return t('desk.status.takenBy', { name: (call.answeredBy && (call.answeredBy.name || call.answeredBy.extension)) || t('desk.status.colleague') });
    if (call.status === 'ended') {
      var e = call.ended;
      if (e.disposition === 'answered') return t('desk.status.ended', { talk: seconds(e.talkSeconds) });
      return t(e.abandoned ? 'desk.status.hungUp' : 'desk.status.missed', { ring: seconds(e.ringSeconds) });
    }
    return '';
  }

  function renderPopup(call) {
    var card = call.card;
    var title = displayName(card);
    var node = el('article', { class: 'popup ' + (call.status === 'ringing' ? 'ringing' : call.status === 'answered' ? 'answered' : 'closed'), 'data-linkedid': call.linkedid },
      el('div', { class: 'status' }, statusText(call)),
      el('div', { class: 'title', 'data-field': 'name' }, title),
      el('div', { class: 'meta' },
        card.contact && card.contact.position ? el('span', null, card.contact.position, ' · ') : null,
        card.company ? el('span', { 'data-field': 'company' }, card.company.name) : null,
        card.company ? ' · ' : null,
        phoneLink(card.phone),
        card.callerIdName && card.callerIdName !== title ? el('span', { 'data-field': 'caller-id-name' }, t('desk.callerId'), card.callerIdName) : null,
        card.line ? el('span', null, t('desk.line'), card.line) : null,
        call.step ? el('span', null, t('desk.step'), call.step) : null),
      el('div', null,
        card.newCaller ? el('span', { class: 'tag new' }, t('desk.newCaller')) : null,
        card.company && card.company.abcCategory ? el('span', { class: 'tag' }, 'ABC: ' + card.company.abcCategory) : null,
        ((card.company && card.company.tags) || []).map(function (tag) { return el('span', { class: 'tag' }, tag); }),
        card.responsible ? el('span', { class: 'meta' }, t('desk.responsible'), card.responsible.name) : null,
        card.lookupFailed ? el('span', { class: 'error' }, t('desk.lookupFailed')) : null));

    if (card.openDeals.length) {
      node.appendChild(el('div', null, el('strong', null, t('desk.openDeals')), el('ul', null, card.openDeals.map(function (deal) {
        return el('li', null, deal.title, ' — ', deal.stageName, deal.budget ? ' — ' + deal.budget : '', ' ',
          el('button', { type: 'button', class: 'small', onclick: function () { openDeal(deal.id); } }, t('desk.open')), ' ',
          deal.responsibleId ? null : el('button', { type: 'button', class: 'small', onclick: function () { claim(deal.id); } }, t('desk.claim')));
      }))));
    }
    if (card.openTasks.length) {
      node.appendChild(el('div', null, el('strong', null, t('desk.openTasks')), el('ul', null, card.openTasks.map(function (task) {
        return el('li', null, task.title, ' (', TASK_KINDS.indexOf(task.kind) >= 0 ? t('desk.kind.' + task.kind) : task.kind, task.dueAt ? t('desk.due', { when: fmtTime(task.dueAt) }) : '', ')', voicemailNote(task.voicemail));
      }))));
    }
    if (card.lastCalls.length) {
      node.appendChild(el('div', null, el('strong', null, t('desk.lastCalls')), el('ul', null, card.lastCalls.map(function (c) {
        var outcome = c.disposition === 'answered' ? (c.answeredBy ? t('desk.answeredBy', { name: c.answeredBy }) : t('desk.outcome.answered')) : t(c.abandoned ? 'desk.outcome.abandoned' : 'desk.outcome.missed');
        var direction = c.direction === 'inbound' || c.direction === 'outbound' ? t('desk.direction.' + c.direction) : c.direction;
        return el('li', null, fmtTime(c.startedAt), ' · ', direction, ' · ', outcome, c.talkSeconds ? ' · ' + seconds(c.talkSeconds) : '', voicemailNote(c.voicemail));
      }))));
    }
    if (call.status === 'ended' && call.ended && call.ended.prompt && state.user && call.ended.answeredBy && call.ended.answeredBy.userId === state.user.id) {
      node.appendChild(el('p', { class: 'notice' }, t('desk.endedPrompt')));
    }

    var text = el('textarea', { placeholder: t('desk.notePlaceholder'), 'aria-label': t('desk.note') });
    text.value = call.draft || '';
    text.addEventListener('focus', function () { call.editing = true; });
    text.addEventListener('input', function () { call.draft = text.value; });
    node.appendChild(el('div', null, text));
    node.appendChild(el('div', { class: 'actions' },
      el('button', { type: 'button', onclick: function () { saveTask(call, text.value, 'todo'); } }, t('desk.addNote')),
      el('button', { type: 'button', onclick: function () { saveTask(call, text.value, 'callback'); } }, t('desk.addCallback')),
      el('button', { type: 'button', onclick: function () { state.calls.delete(call.linkedid); renderPopups(); } }, t('desk.close'))));
    return node;
  }

  function phoneLink(phone) {
    if (!phone || !/^\+?\d{3,}$/.test(phone)) return el('span', { 'data-field': 'phone' }, phone || t('desk.anonymous'));
    return el('a', { class: 'phone', 'data-field': 'phone', title: t('desk.callThis'), onclick: function () { dial(phone); } }, phone);
  }

  function saveTask(call, text, kind) {
    var card = call.card;
    var note = (text || '').trim();
    var title = kind === 'callback' ? t('desk.task.callback', { name: displayName(card) }) : t('desk.task.note', { text: (note.split('\n')[0] || displayName(card)).slice(0, 120) });
    var body = {
      title: title.slice(0, 300),
      kind: kind,
      notes: note || null,
      contactId: card.contact ? card.contact.id : null,
      companyId: card.company ? card.company.id : null,
      dealId: card.openDeals[0] ? card.openDeals[0].id : null,
      dueAt: kind === 'callback' ? new Date(Date.now() + 15 * 60000).toISOString() : null,
    };
    api('POST', '/api/tasks', body)
      .then(function () {
        notice(kind === 'callback' ? 'desk.saved.callback' : 'desk.saved.note');
        call.editing = false;
        call.draft = '';
        if (call.status === 'ended') { state.calls.delete(call.linkedid); renderPopups(); }
        refreshLists();
      })
      .catch(function (error) { notice('desk.notSaved', { message: error.message }); });
  }

  function openDeal(dealId) {
    api('GET', '/api/deals/' + encodeURIComponent(dealId))
      .then(function (deal) {
        state.notice = null;
        $('notice').textContent = t('desk.deal', { title: deal.title }) + (deal.budget ? ' · ' + deal.budget : '') + (deal.responsibleId ? '' : t('desk.dealInExchange'));
      })
      .catch(function (error) { notice('desk.dealNotLoaded', { message: error.message }); });
  }

  function claim(dealId) {
    api('POST', '/api/deals/' + encodeURIComponent(dealId) + '/claim')
      .then(function () { notice('desk.claimed'); refreshLists(); })
      .catch(function (error) { notice('desk.notClaimed', { message: error.message }); });
  }

  function dial(number) {
    notice('desk.calling', { number: number });
    api('POST', '/api/calls/originate', { number: number })
      .then(function () { notice('desk.pickUp', { number: number }); })
      .catch(function (error) {
        notice(error.status === 404 ? 'desk.noClickToCall' : error.status === 503 ? 'desk.clickToCallDown' : 'desk.callFailed', { message: error.message });
      });
  }
  $('dial-form').addEventListener('submit', function (event) { event.preventDefault(); dial($('dial-number').value.trim()); });

  // -------------------------------------------------------------------------------------- lists
  var LISTS = {
    missed: {
      path: '/api/calls?disposition=missed&limit=20',
      empty: 'desk.noMissed',
      item: function (c) {
        return el('li', null, fmtTime(c.startedAt), ' ', phoneLink(c.caller), c.callerName ? el('span', null, ' ', c.callerName) : null, c.abandoned ? t('desk.abandoned') : '');
      },
    },
    callbacks: {
      path: '/api/tasks?kind=callback&open=true',
      empty: 'desk.noCallbacks',
      item: function (task) {
        return el('li', null, task.title, task.dueAt ? t('desk.dueList', { when: fmtTime(task.dueAt) }) : '', task.phone ? el('span', null, ' ', phoneLink(task.phone)) : null);
      },
    },
    exchange: {
      path: '/api/lead-exchange',
      empty: 'desk.exchangeEmpty',
      item: function (lead) {
        return el('li', null, el('strong', null, lead.title), (lead.phones || []).map(function (p) { return el('span', null, ' ', phoneLink(p)); }),
          lead.missedCalls ? t('desk.missedCount', { n: lead.missedCalls }) : '',
          el('button', { type: 'button', class: 'small', onclick: function () { claim(lead.id); } }, t('desk.claim')));
      },
    },
  };

  /** Draws a list from its last data ({ items } or { error }). */
  function renderList(id) {
    var list = LISTS[id];
    var data = state.lists[id];
    var root = $(id);
    clear(root);
    if (!data) return;
    if (data.error) return root.appendChild(el('li', { class: 'empty' }, t('desk.notLoaded', { message: data.error })));
    if (!data.items.length) root.appendChild(el('li', { class: 'empty' }, t(list.empty)));
    data.items.forEach(function (item) { root.appendChild(list.item(item)); });
  }
  function refreshLists() {
    if (!session.loggedIn()) return;
    Object.keys(LISTS).forEach(function (id) {
      api('GET', LISTS[id].path)
        .then(function (data) { state.lists[id] = { items: itemsOf(data) }; })
        .catch(function (error) { state.lists[id] = { error: error.message }; })
        .then(function () { renderList(id); });
    });
  }
  document.querySelector('[data-refresh]').addEventListener('click', refreshLists);

  window.addEventListener('offline', function () { setLink('offline'); });
  window.addEventListener('online', function () { if (state.socket && !state.socket.connected) state.socket.connect(); });

  i18n.onChange(function () {
    setLink(state.link);
    renderWho();
    renderPopups();
    Object.keys(LISTS).forEach(renderList);
    if (state.notice) notice(state.notice.key, state.notice.values);
  });

  if (session.loggedIn()) start(); else session.logout(null);
})();
