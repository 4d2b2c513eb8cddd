/* The desk page: plain browser JS, no build, no CDN. Every string from the caller, the CRM or
 * the server is put in the page with textContent (via el()), never as HTML.
 * Texts: desk.texts.js; login and language: src/pages/common. */
(function () {
  'use strict';

  var i18n = window.switchboard.i18n;
  var t = i18n.t;
  var SCOPE_KEY = 'switchboard.desk.scope';
  var TASK_KINDS = ['callback', 'call', 'meeting', 'email', 'todo'];
  /** A name that is only a phone number (what lead capture calls a new contact). */
  var PHONE_LIKE = /^\+?[\d\s()-]+$/;
  /** lists: the last data of each list, kept to draw it again in the other language. */
  var state = { scope: sessionStorage.getItem(SCOPE_KEY) || 'own', user: null, socket: null, calls: new Map(), watching: null, link: 'offline', notice: null, lists: {}, lineNames: {} };
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

  /** el('div', {class: 'x', onclick: fn}, 'text', childNode…) — strings become text nodes (common dom.js). */
  var el = window.switchboard.dom.h;
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
    api('GET', '/api/routing/lines')
      .then(function (names) { state.lineNames = names || {}; renderPopups(); Object.keys(LISTS).forEach(renderList); })
      .catch(function () { /* numbers stay numbers */ });
    connect();
    refreshLists();
    route();
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
        upsert(item.linkedid, { card: item.card, status: item.state, person: item.person, answeredBy: item.answeredBy, step: item.step, since: sinceOf(item.linkedid, null) });
      });
      // Popups of calls that ended while this desk was away are dropped.
      state.calls.forEach(function (call, linkedid) { if (!live.has(linkedid) && (call.status === 'ringing' || call.status === 'answered')) state.calls.delete(linkedid); });
      renderPopups();
    });
    socket.on('call.ringing', function (event) {
      var fresh = !state.calls.has(event.linkedid);
      upsert(event.linkedid, { card: event.card, status: 'ringing', person: event.ringing, step: event.step, since: sinceOf(event.linkedid, event.receivedAtMs) });
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
    // Lead capture wrote a lead or a task after a call: the lists change (one fetch for a burst).
    socket.on('desk.listsChanged', function () {
      if (state.listsTimer) return;
      state.listsTimer = setTimeout(function () { state.listsTimer = null; refreshLists(); }, 300);
    });
  }

  function renderWho() {
    $('who').textContent = state.user ? state.user.name + (state.watching === 'all' ? t('desk.everyCall') : '') : '';
  }

  /** When the ring began for the timer: kept once known; the service's time when its clock agrees with this one's (±60 s). */
  function sinceOf(linkedid, receivedAtMs) {
    var known = state.calls.get(linkedid);
    if (known && known.since) return known.since;
    var now = Date.now();
    return typeof receivedAtMs === 'number' && Math.abs(now - receivedAtMs) < 60000 ? Math.min(now, receivedAtMs) : now;
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
  /** Newest call on top: the Map keeps the order calls were first seen in. */
  function renderPopups() {
    var root = $('popups');
    clear(root);
    Array.from(state.calls.values()).reverse().forEach(function (call) { if (call.card) root.appendChild(renderPopup(call)); });
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

  /** "0:07": how long the phone has rung (from when the service saw the ring, else when this desk did). */
  function timerText(call) {
    if (call.status !== 'ringing' || !call.since) return '';
    var s = Math.max(0, Math.floor((Date.now() - call.since) / 1000));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }
  setInterval(function () {
    document.querySelectorAll('#popups [data-field=timer]').forEach(function (node) {
      var call = state.calls.get(node.getAttribute('data-linkedid'));
      if (call) node.textContent = timerText(call);
    });
  }, 1000);

  /** The person the card is about: contact, else the caller ID name, else the number. */
  function personName(card) {
    if (card.contact && card.contact.name) return card.contact.name;
    if (card.callerIdName) return card.callerIdName;
    return !card.phone || card.phone === 'anonymous' ? t('desk.anonymous') : i18n.phone(card.phone);
  }

  function dealLine(deal) {
    return [deal.title, stageName({ id: deal.stageId, name: deal.stageName }), deal.budget !== null && deal.budget !== undefined ? i18n.money(deal.budget) : null].filter(function (x) { return x !== null && x !== ''; }).join(' · ');
  }

  /** A compact card: the company (or "New number") as its heading, who calls, the responsible, the open deal, a ring timer. */
  function renderPopup(call) {
    var card = call.card;
    var heading = card.company ? card.company.name : card.newCaller ? t('desk.newNumber') : personName(card);
    var deal = card.openDeals[0];
    var node = el('article', { class: 'popup ' + (call.status === 'ringing' ? 'ringing' : call.status === 'answered' ? 'answered' : 'closed'), 'data-linkedid': call.linkedid, 'aria-label': heading },
      el('div', { class: 'status-row' },
        el('span', { class: 'status' }, statusText(call)),
        el('span', { class: 'timer', 'data-field': 'timer', 'data-linkedid': call.linkedid, 'aria-hidden': 'true' }, timerText(call))),
      el('h3', { class: 'title', 'data-field': 'company' }, heading),
      // The person line, unless it would only repeat the number shown below.
      card.contact || card.callerIdName ? el('div', { class: 'who' },
        el('span', { 'data-field': 'name' }, personName(card)),
        card.contact && card.contact.position ? el('span', { 'data-field': 'position' }, ' · ' + card.contact.position) : null) : null,
      el('div', { class: 'meta' },
        phoneLink(card.phone),
        card.callerIdName && card.callerIdName !== personName(card) ? el('span', { 'data-field': 'caller-id-name' }, t('desk.callerId'), card.callerIdName) : null,
        card.line ? el('span', { 'data-field': 'line' }, t('desk.line'), lineLabel(card.line)) : null,
        call.step ? el('span', null, t('desk.step'), i18n.step(call.step)) : null),
      el('div', null,
        card.newCaller ? el('span', { class: 'tag new' }, t('desk.newCaller')) : null,
        card.company && card.company.abcCategory ? el('span', { class: 'tag' }, 'ABC: ' + card.company.abcCategory) : null,
        ((card.company && card.company.tags) || []).map(function (tag) { return el('span', { class: 'tag' }, tag); }),
        card.responsible ? el('span', { class: 'meta', 'data-field': 'responsible' }, t('desk.responsible'), card.responsible.name) : null,
        card.lookupFailed ? el('span', { class: 'error' }, t('desk.lookupFailed')) : null));

    if (deal) {
      node.appendChild(el('div', { class: 'deal', 'data-field': 'deal' },
        el('strong', null, t('desk.deal.label')), ' ', dealLine(deal),
        card.openDeals.length > 1 ? el('span', { class: 'muted' }, t('desk.moreDeals', { n: card.openDeals.length - 1 })) : null, ' ',
        deal.responsibleId ? null : el('button', { type: 'button', class: 'small', onclick: function () { claim(deal.id); } }, t('desk.claim'))));
    }
    if (card.openTasks.length) {
      node.appendChild(el('ul', { class: 'tasks' }, card.openTasks.slice(0, 3).map(function (task) {
        return el('li', null, task.title, task.dueAt ? el('span', { class: 'muted' }, t('desk.due', { when: fmtTime(task.dueAt) })) : null, voicemailNote(task.voicemail), ' ',
          el('button', { type: 'button', class: 'small', onclick: function () { markDone(task.id); } }, t('desk.task.done')));
      })));
    }
    if (card.lastCalls.length) {
      var c = card.lastCalls[0];
      node.appendChild(el('div', { class: 'meta' }, t('desk.lastCall'), fmtTime(c.startedAt), ' · ', callOutcome(c)));
    }
    if (call.status === 'ended' && call.ended && call.ended.prompt && state.user && call.ended.answeredBy && call.ended.answeredBy.userId === state.user.id) {
      node.appendChild(el('p', { class: 'notice' }, t('desk.endedPrompt')));
    }

    // A note or a callback once the call is taken or over; while it rings the card stays compact.
    var writing = call.status !== 'ringing';
    var text = writing ? el('textarea', { placeholder: t('desk.notePlaceholder'), 'aria-label': t('desk.note') }) : null;
    if (text) {
      text.value = call.draft || '';
      text.addEventListener('focus', function () { call.editing = true; });
      text.addEventListener('input', function () { call.draft = text.value; });
      node.appendChild(el('div', null, text));
    }
    node.appendChild(el('div', { class: 'actions' },
      card.phone && card.phone !== 'anonymous' ? el('a', { class: 'button', href: '#client/' + encodeURIComponent(card.phone), 'data-field': 'client-link' }, t('desk.client.open')) : null,
      writing ? el('button', { type: 'button', onclick: function () { saveTask(call, text.value, 'todo'); } }, t('desk.addNote')) : null,
      writing ? el('button', { type: 'button', onclick: function () { saveTask(call, text.value, 'callback'); } }, t('desk.addCallback')) : null,
      el('button', { type: 'button', onclick: function () { state.calls.delete(call.linkedid); renderPopups(); } }, t('desk.close'))));
    return node;
  }

  function callOutcome(c) {
    var outcome = c.disposition === 'answered' ? (c.answeredBy ? t('desk.answeredBy', { name: c.answeredBy }) : t('desk.outcome.answered')) : t(c.abandoned ? 'desk.outcome.abandoned' : 'desk.outcome.missed');
    var direction = c.direction === 'inbound' || c.direction === 'outbound' ? t('desk.direction.' + c.direction) : c.direction;
    return direction + ' · ' + outcome + (c.talkSeconds ? ' · ' + seconds(c.talkSeconds) : '') + voicemailNote(c.voicemail);
  }

  function phoneLink(phone) {
    if (!phone || !/^\+?\d{3,}$/.test(phone)) return el('span', { 'data-field': 'phone' }, !phone || phone === 'anonymous' ? t('desk.anonymous') : phone);
    return el('a', { class: 'phone', href: '#', 'data-field': 'phone', 'data-phone': phone, title: t('desk.callThis'), onclick: function (event) { event.preventDefault(); dial(phone); } }, i18n.phone(phone));
  }

  function markDone(taskId) {
    api('PATCH', '/api/tasks/' + encodeURIComponent(taskId), { done: true })
      .then(function () {
        notice('desk.task.doneSaved');
        // The task leaves every card it is on (the popups of this client's calls too).
        state.calls.forEach(function (call) { if (call.card) call.card.openTasks = call.card.openTasks.filter(function (task) { return task.id !== taskId; }); });
        renderPopups();
        refreshLists();
        if (client.phone) loadClient(client.phone);
      })
      .catch(function (error) { notice('desk.notSaved', { message: error.message }); });
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

  function claim(dealId) {
    api('POST', '/api/deals/' + encodeURIComponent(dealId) + '/claim')
      .then(function () { notice('desk.claimed'); refreshLists(); if (client.phone) loadClient(client.phone); })
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

  // -------------------------------------------------------------------------------- client card
  /** The client card page (#client/<E.164>): its phone, last data or error, and the field errors of its forms. */
  var client = { phone: null, file: null, error: null, fieldErrors: {} };

  function route() {
    var match = /^#client\/(.+)$/.exec(location.hash);
    var phone = match ? decodeURIComponent(match[1]) : null;
    client.phone = phone;
    $('client-view').hidden = !phone;
    $('desk-lists').hidden = Boolean(phone);
    if (phone) {
      client.file = null;
      client.error = null;
      client.fieldErrors = {};
      renderClient();
      loadClient(phone);
    }
  }
  window.addEventListener('hashchange', route);

  function loadClient(phone) {
    if (!session.loggedIn()) return;
    api('GET', '/api/clients/file?phone=' + encodeURIComponent(phone))
      .then(function (file) { if (client.phone === phone) { client.file = file; client.error = null; } })
      .catch(function (error) { if (client.phone === phone) client.error = error.message; })
      .then(function () { if (client.phone === phone) renderClient(); });
  }

  function fieldError(key) {
    return el('span', { class: 'error', id: 'err-' + key, role: 'alert' }, client.fieldErrors[key] || '');
  }

  function renderClient() {
    var root = $('client-body');
    clear(root);
    var file = client.file;
    if (client.error) return root.appendChild(el('p', { class: 'error' }, t('desk.notLoaded', { message: client.error })));
    if (!file) return root.appendChild(el('p', { class: 'muted' }, t('desk.client.loading')));
    var heading = file.company ? file.company.name : file.contact ? file.contact.name : t('desk.newNumber');
    root.appendChild(el('h1', { id: 'client-heading', 'data-field': 'client-heading' }, heading));
    var phones = [];
    if (file.contact) phones = phones.concat(file.contact.phones);
    if (file.company) phones = phones.concat(file.company.phones);
    if (phones.indexOf(file.phone) < 0) phones.unshift(file.phone);
    root.appendChild(el('p', { class: 'who' },
      file.contact ? el('strong', { 'data-field': 'contact' }, file.contact.name) : null,
      file.contact && file.contact.position ? ' · ' + file.contact.position : null,
      file.contact ? ' · ' : null,
      phones.map(function (phone, i) { return [i ? ', ' : '', phoneLink(phone)]; }),
      file.responsible ? el('span', { class: 'meta' }, ' · ', t('desk.responsible'), file.responsible.name) : null,
      file.known ? null : el('span', { class: 'tag new' }, t('desk.newCaller'))));

    root.appendChild(el('h2', null, t('desk.client.deals')));
    if (!file.deals.length) root.appendChild(el('p', { class: 'muted' }, t('desk.client.noDeals')));
    file.deals.forEach(function (deal) { root.appendChild(renderDeal(deal, file.stages)); });

    root.appendChild(el('h2', null, t('desk.client.tasks')));
    var tasks = el('ul', { class: 'list', 'data-field': 'tasks' });
    if (!file.tasks.length) tasks.appendChild(el('li', { class: 'empty' }, t('desk.client.noTasks')));
    file.tasks.forEach(function (task) {
      var open = !task.doneAt;
      tasks.appendChild(el('li', { class: open ? '' : 'done', 'data-task': task.id },
        el('span', null, task.title),
        el('span', { class: 'muted' }, kindName(task.kind), task.dueAt ? t('desk.due', { when: fmtTime(task.dueAt) }) : '',
          task.assigneeName ? ' · ' + task.assigneeName : '', open ? '' : ' · ' + t('desk.client.doneAt', { when: fmtTime(task.doneAt) }), voicemailNote(task.voicemail)),
        task.notes ? el('span', { class: 'notes' }, task.notes) : null,
        open ? el('button', { type: 'button', class: 'small', onclick: function () { markDone(task.id); } }, t('desk.task.done')) : null));
    });
    root.appendChild(tasks);
    root.appendChild(renderNewTask(file));

    root.appendChild(el('h2', null, t('desk.client.calls')));
    var calls = el('ul', { class: 'list', 'data-field': 'calls' });
    if (!file.calls.length) calls.appendChild(el('li', { class: 'empty' }, t('desk.client.noCalls')));
    file.calls.forEach(function (c) {
      calls.appendChild(el('li', null, fmtTime(c.startedAt), ' · ', callOutcome(c),
        c.recordingFile ? el('span', { class: 'muted' }, t('desk.client.recording', { file: String(c.recordingFile).split('/').pop() })) : null));
    });
    root.appendChild(calls);
  }

  function kindName(kind) { return TASK_KINDS.indexOf(kind) >= 0 ? t('desk.kind.' + kind) : kind; }

  /** A deal with its stage, budget, responsible and the "move to stage" control (the pipeline's rules apply on the server). */
  function renderDeal(deal, stages) {
    var key = 'deal-' + deal.id;
    var select = el('select', { id: 'stage-' + deal.id, 'aria-describedby': 'err-' + key });
    stages.forEach(function (stage) {
      var option = el('option', { value: stage.id }, stageName(stage));
      if (stage.id === deal.stageId) option.selected = true;
      select.appendChild(option);
    });
    var reason = el('input', { id: 'reason-' + deal.id, type: 'text', maxlength: '2000', 'aria-describedby': 'err-' + key });
    var reasonLabel = el('label', { class: 'reason', hidden: deal.stageId === 'conditional_refusal' ? null : 'hidden' }, t('desk.client.reason'), ' ', reason);
    select.addEventListener('change', function () { reasonLabel.hidden = select.value !== 'conditional_refusal'; });
    return el('div', { class: 'deal-card', 'data-deal': deal.id },
      el('div', null, el('strong', null, deal.title), ' · ', el('span', { 'data-field': 'stage' }, stageName({ id: deal.stageId, name: deal.stageName })),
        deal.budget !== null ? el('span', { 'data-field': 'budget' }, ' · ' + i18n.money(deal.budget)) : null,
        el('span', { class: 'muted' }, ' · ', deal.responsibleName ? t('desk.responsible') + deal.responsibleName : t('desk.dealInExchange'))),
      el('form', { class: 'row', onsubmit: function (event) { event.preventDefault(); moveDeal(deal, select.value, reason.value); } },
        el('label', { for: 'stage-' + deal.id }, t('desk.client.stage')), select, reasonLabel,
        el('button', { type: 'submit' }, t('desk.client.move')),
        deal.responsibleId ? null : el('button', { type: 'button', onclick: function () { claim(deal.id); } }, t('desk.claim'))),
      fieldError(key));
  }

  function stageName(stage) { return i18n.tOr('desk.stage.' + stage.id, stage.name); }

  function moveDeal(deal, stageId, reason) {
    delete client.fieldErrors['deal-' + deal.id];
    api('POST', '/api/deals/' + encodeURIComponent(deal.id) + '/stage', { stageId: stageId, reason: reason.trim() || undefined })
      .then(function () { notice('desk.client.moved', { title: deal.title }); loadClient(client.phone); refreshLists(); })
      .catch(function (error) {
        client.fieldErrors['deal-' + deal.id] = error.message;
        renderClient();
      });
  }

  /** A callback or a note about this client, attached to the contact, the company and the first open deal. */
  function renderNewTask(file) {
    var text = el('textarea', { id: 'client-note', maxlength: '5000', 'aria-describedby': 'err-new-task' });
    var kind = el('select', { id: 'client-note-kind' },
      el('option', { value: 'callback' }, t('desk.addCallback')), el('option', { value: 'todo' }, t('desk.addNote')));
    return el('form', { class: 'new-task', onsubmit: function (event) {
      event.preventDefault();
      var note = text.value.trim();
      var who = file.contact ? file.contact.name : file.company ? file.company.name : i18n.phone(file.phone);
      var openDeal = file.deals.filter(function (deal) { return !deal.closed; })[0];
      delete client.fieldErrors['new-task'];
      api('POST', '/api/tasks', {
        title: (kind.value === 'callback' ? t('desk.task.callback', { name: who }) : t('desk.task.note', { text: (note.split('\n')[0] || who).slice(0, 120) })).slice(0, 300),
        kind: kind.value,
        notes: note || null,
        contactId: file.contact ? file.contact.id : null,
        companyId: file.company ? file.company.id : null,
        dealId: openDeal ? openDeal.id : null,
        dueAt: kind.value === 'callback' ? new Date(Date.now() + 15 * 60000).toISOString() : null,
      })
        .then(function () { notice(kind.value === 'callback' ? 'desk.saved.callback' : 'desk.saved.note'); loadClient(client.phone); refreshLists(); })
        .catch(function (error) { client.fieldErrors['new-task'] = error.message; renderClient(); });
    } },
      el('label', { for: 'client-note' }, t('desk.note')), text,
      el('div', { class: 'row' }, el('label', { for: 'client-note-kind' }, t('desk.client.kind')), kind, el('button', { type: 'submit' }, t('desk.client.save'))),
      fieldError('new-task'));
  }

  /** "Remstroy · Alexey Smirnov", or "New number · line +7 495 111-22-33". */
  function clientLabel(client, phone, line) {
    // A contact lead capture named after the number is still a new number.
    var contact = client && client.contact && !PHONE_LIKE.test(client.contact) ? client.contact : null;
    if (client && (client.company || contact)) return [client.company, contact].filter(Boolean).join(' · ');
    return t('desk.newNumber') + (line ? ' · ' + t('desk.lineName', { line: lineLabel(line) }) : '');
  }
  /** A line by its name from the admin screen ("Yandex.Direct"), else its number written as people write it. */
  function lineLabel(did) {
    if (Object.hasOwn(state.lineNames, did)) return state.lineNames[did];
    return i18n.phone(did.charAt(0) === '+' ? did : '+' + did);
  }
  function clientLink(phone, label) {
    if (!phone || phone === 'anonymous') return el('span', null, label);
    return el('a', { href: '#client/' + encodeURIComponent(phone), class: 'client-link' }, label);
  }

  // -------------------------------------------------------------------------------------- lists
  var LISTS = {
    missed: {
      path: '/api/calls?disposition=missed&limit=20',
      empty: 'desk.noMissed',
      item: function (c) {
        return el('li', null, clientLink(c.caller, clientLabel(c.client, c.caller, c.did)), ' ', phoneLink(c.caller), el('span', { class: 'muted' }, fmtTime(c.startedAt)), c.abandoned ? t('desk.abandoned') : '');
      },
    },
    callbacks: {
      path: '/api/tasks?kind=callback&open=true',
      empty: 'desk.noCallbacks',
      item: function (task) {
        return el('li', null, task.phone ? clientLink(task.phone, task.title) : task.title, task.dueAt ? t('desk.dueList', { when: fmtTime(task.dueAt) }) : '', task.phone ? el('span', null, ' ', phoneLink(task.phone)) : null);
      },
    },
    exchange: {
      path: '/api/lead-exchange',
      empty: 'desk.exchangeEmpty',
      /** Newest first: by the lead's last call, else when it came in. */
      order: function (a, b) { return leadTime(b) - leadTime(a); },
      item: function (lead) {
        var phones = lead.phones || [];
        var label = clientLabel(lead.contact ? { contact: lead.contact.name, company: null } : null, phones[0], lead.line);
        return el('li', { 'data-lead': lead.id }, el('strong', null, phones[0] ? clientLink(phones[0], label) : label), phones.map(function (p) { return el('span', null, ' ', phoneLink(p)); }),
          lead.missedCalls ? t('desk.missedCount', { n: lead.missedCalls }) : '',
          el('button', { type: 'button', class: 'small', onclick: function () { claim(lead.id); } }, t('desk.claim')));
      },
    },
  };

  function leadTime(lead) {
    var last = lead.calls && lead.calls[0] ? lead.calls[0].startedAt : lead.createdAt;
    return new Date(last).getTime() || 0;
  }

  /** Draws a list from its last data ({ items } or { error }). */
  function renderList(id) {
    var list = LISTS[id];
    var data = state.lists[id];
    var root = $(id);
    clear(root);
    if (!data) return;
    if (data.error) return root.appendChild(el('li', { class: 'empty' }, t('desk.notLoaded', { message: data.error })));
    if (!data.items.length) root.appendChild(el('li', { class: 'empty' }, t(list.empty)));
    var items = list.order ? data.items.slice().sort(list.order) : data.items;
    items.forEach(function (item) { root.appendChild(list.item(item)); });
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
    if (client.phone) renderClient();
    if (state.notice) notice(state.notice.key, state.notice.values);
  });

  if (session.loggedIn()) start(); else session.logout(null);
})();
