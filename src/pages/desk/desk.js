/* The desk page: plain browser JS, no build, no CDN. Every string from the caller, the CRM or
 * the server is put in the page with textContent (via el()), never as HTML. */
(function () {
  'use strict';

  var TOKEN_KEY = 'switchboard.desk.token';
  var SCOPE_KEY = 'switchboard.desk.scope';
  var state = { token: sessionStorage.getItem(TOKEN_KEY), scope: sessionStorage.getItem(SCOPE_KEY) || 'own', user: null, socket: null, calls: new Map() };
  var $ = function (id) { return document.getElementById(id); };

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
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function fmtTime(value) {
    if (value === null || value === undefined) return '';
    var date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
    return date.toLocaleString();
  }
  function seconds(n) { return Math.round(Number(n) || 0) + ' s'; }
  function notice(text) { $('notice').textContent = text || ''; }

  // ---------------------------------------------------------------------------------------- REST
  function api(method, path, body) {
    var headers = { 'Content-Type': 'application/json' };
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
        if (response.status === 401 && path !== '/api/auth/login') logout('Your session expired; please log in again.');
        if (!response.ok) {
          var error = new Error((data && data.message) || response.status + ' ' + response.statusText);
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }
  function itemsOf(data) { return Array.isArray(data) ? data : (data && Array.isArray(data.items) ? data.items : []); }

  // ---------------------------------------------------------------------------------------- login
  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    $('login-error').textContent = '';
    if (window.Notification && Notification.permission === 'default') Notification.requestPermission();
    api('POST', '/api/auth/login', { email: $('email').value, password: $('password').value })
      .then(function (data) {
        state.token = data.accessToken;
        state.scope = $('watch-all').checked ? 'all' : 'own';
        sessionStorage.setItem(TOKEN_KEY, state.token);
        sessionStorage.setItem(SCOPE_KEY, state.scope);
        start();
      })
      .catch(function (error) { $('login-error').textContent = error.message; });
  });
  $('logout').addEventListener('click', function () { logout(''); });

  function logout(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    if (state.socket) { state.socket.disconnect(); state.socket = null; }
    state.calls.clear();
    renderPopups();
    $('desk-view').hidden = true;
    $('logout').hidden = true;
    $('login-view').hidden = false;
    $('who').textContent = '';
    setLink('offline');
    $('login-error').textContent = message || '';
  }

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
    node.textContent = status === 'online' ? 'online' : status === 'connecting' ? 'reconnecting…' : 'offline';
    document.body.setAttribute('data-link', status);
  }

  function connect() {
    if (state.socket) state.socket.disconnect();
    setLink('connecting');
    var socket = io({ auth: { token: state.token, scope: state.scope }, reconnectionDelay: 500, reconnectionDelayMax: 5000, transports: ['websocket', 'polling'] });
    state.socket = socket;
    socket.on('connect', function () { setLink('online'); });
    socket.on('disconnect', function (reason) {
      setLink(reason === 'io client disconnect' ? 'offline' : 'connecting');
    });
    socket.io.on('reconnect_attempt', function () { setLink('connecting'); });
    socket.on('connect_error', function (error) {
      if (error && (error.message === 'unauthorized' || error.message === 'forbidden')) {
        logout(error.message === 'forbidden' ? 'Only supervisors may watch every call.' : 'Please log in again.');
        return;
      }
      setLink('connecting');
    });
    socket.on('desk.snapshot', function (snapshot) {
      state.user = snapshot.user;
      $('who').textContent = snapshot.user.name + (snapshot.scope === 'all' ? ' · every call' : '');
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
      var n = new Notification('Calling: ' + displayName(card), { body: body, tag: card.linkedid });
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
      var whose = call.person && state.user && call.person.userId !== state.user.id ? ' (' + (call.person.name || call.person.extension) + "'s phone)" : '';
      return (card.direction === 'outbound' ? 'Outgoing call' : 'Ringing') + whose;
    }
    if (call.status === 'answered') return 'Talking' + (call.answeredBy && state.user && call.answeredBy.userId !== state.user.id ? ' — ' + (call.answeredBy.name || call.answeredBy.extension) : '');
    if (call.status === 'taken') return 'Answered by ' + ((call.answeredBy && (call.answeredBy.name || call.answeredBy.extension)) || 'a colleague');
    if (call.status === 'ended') {
      var e = call.ended;
      return e.disposition === 'answered' ? 'Ended · talk ' + seconds(e.talkSeconds) : (e.abandoned ? 'Caller hung up' : 'Missed') + ' · rang ' + seconds(e.ringSeconds);
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
        card.callerIdName && card.callerIdName !== title ? el('span', { 'data-field': 'caller-id-name' }, ' · caller ID: ', card.callerIdName) : null,
        card.line ? el('span', null, ' · line ', card.line) : null,
        call.step ? el('span', null, ' · step ', call.step) : null),
      el('div', null,
        card.newCaller ? el('span', { class: 'tag new' }, 'new caller') : null,
        card.company && card.company.abcCategory ? el('span', { class: 'tag' }, 'ABC: ' + card.company.abcCategory) : null,
        ((card.company && card.company.tags) || []).map(function (tag) { return el('span', { class: 'tag' }, tag); }),
        card.responsible ? el('span', { class: 'meta' }, ' Responsible: ', card.responsible.name) : null,
        card.lookupFailed ? el('span', { class: 'error' }, ' CRM lookup failed') : null));

    if (card.openDeals.length) {
      node.appendChild(el('div', null, el('strong', null, 'Open deals'), el('ul', null, card.openDeals.map(function (deal) {
        return el('li', null, deal.title, ' — ', deal.stageName, deal.budget ? ' — ' + deal.budget : '', ' ',
          el('button', { type: 'button', class: 'small', onclick: function () { openDeal(deal.id); } }, 'Open'), ' ',
          deal.responsibleId ? null : el('button', { type: 'button', class: 'small', onclick: function () { claim(deal.id); } }, 'Claim'));
      }))));
    }
    if (card.openTasks.length) {
      node.appendChild(el('div', null, el('strong', null, 'Open tasks'), el('ul', null, card.openTasks.map(function (task) {
        return el('li', null, task.title, ' (', task.kind, task.dueAt ? ', due ' + fmtTime(task.dueAt) : '', ')');
      }))));
    }
    if (card.lastCalls.length) {
      node.appendChild(el('div', null, el('strong', null, 'Last calls'), el('ul', null, card.lastCalls.map(function (c) {
        var outcome = c.disposition === 'answered' ? 'answered' + (c.answeredBy ? ' by ' + c.answeredBy : '') : c.abandoned ? 'abandoned' : 'missed';
        return el('li', null, fmtTime(c.startedAt), ' · ', c.direction, ' · ', outcome, c.talkSeconds ? ' · ' + seconds(c.talkSeconds) : '');
      }))));
    }
    if (call.status === 'ended' && call.ended && call.ended.prompt && state.user && call.ended.answeredBy && call.ended.answeredBy.userId === state.user.id) {
      node.appendChild(el('p', { class: 'notice' }, 'The call has ended: leave a note or a task.'));
    }

    var text = el('textarea', { placeholder: 'Note or task…', 'aria-label': 'note' });
    text.addEventListener('focus', function () { call.editing = true; });
    node.appendChild(el('div', null, text));
    node.appendChild(el('div', { class: 'actions' },
      el('button', { type: 'button', onclick: function () { saveTask(call, text.value, 'todo'); } }, 'Add note'),
      el('button', { type: 'button', onclick: function () { saveTask(call, text.value, 'callback'); } }, 'Create callback task'),
      el('button', { type: 'button', onclick: function () { state.calls.delete(call.linkedid); renderPopups(); } }, 'Close')));
    return node;
  }

  function phoneLink(phone) {
    if (!phone || !/^\+?\d{3,}$/.test(phone)) return el('span', { 'data-field': 'phone' }, phone || 'anonymous');
    return el('a', { class: 'phone', 'data-field': 'phone', title: 'Call this number', onclick: function () { dial(phone); } }, phone);
  }

  function saveTask(call, text, kind) {
    var card = call.card;
    var note = (text || '').trim();
    var title = kind === 'callback' ? 'Call back ' + displayName(card) : 'Note: ' + (note.split('\n')[0] || displayName(card)).slice(0, 120);
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
        notice(kind === 'callback' ? 'Callback task created.' : 'Note saved.');
        call.editing = false;
        if (call.status === 'ended') { state.calls.delete(call.linkedid); renderPopups(); }
        refreshLists();
      })
      .catch(function (error) { notice('Not saved: ' + error.message); });
  }

  function openDeal(dealId) {
    api('GET', '/api/deals/' + encodeURIComponent(dealId))
      .then(function (deal) { notice('Deal: ' + deal.title + (deal.budget ? ' · ' + deal.budget : '') + (deal.responsibleId ? '' : ' · in the lead exchange')); })
      .catch(function (error) { notice('Deal not loaded: ' + error.message); });
  }

  function claim(dealId) {
    api('POST', '/api/deals/' + encodeURIComponent(dealId) + '/claim')
      .then(function () { notice('The deal is yours now.'); refreshLists(); })
      .catch(function (error) { notice('Not claimed: ' + error.message); });
  }

  function dial(number) {
    notice('Calling ' + number + '… your phone rings first.');
    api('POST', '/api/calls/originate', { number: number })
      .then(function () { notice('Calling ' + number + ': pick up your phone.'); })
      .catch(function (error) {
        notice(error.status === 404 ? 'Click-to-call is not available on this server.' : error.status === 503 ? 'Click-to-call is unavailable: ' + error.message : 'Call failed: ' + error.message);
      });
  }
  $('dial-form').addEventListener('submit', function (event) { event.preventDefault(); dial($('dial-number').value.trim()); });

  // -------------------------------------------------------------------------------------- lists
  function fillList(id, items, render, empty) {
    var root = $(id);
    clear(root);
    if (!items.length) root.appendChild(el('li', { class: 'empty' }, empty));
    items.forEach(function (item) { root.appendChild(render(item)); });
  }
  function refreshLists() {
    if (!state.token) return;
    api('GET', '/api/calls?disposition=missed&limit=20').then(function (data) {
      fillList('missed', itemsOf(data), function (c) {
        return el('li', null, fmtTime(c.startedAt), ' ', phoneLink(c.caller), c.callerName ? el('span', null, ' ', c.callerName) : null, c.abandoned ? ' · abandoned' : '');
      }, 'No missed calls.');
    }).catch(function (error) { fillList('missed', [], null, 'Not loaded: ' + error.message); });
    api('GET', '/api/tasks?kind=callback&open=true').then(function (data) {
      fillList('callbacks', itemsOf(data), function (t) {
        return el('li', null, t.title, t.dueAt ? ' · due ' + fmtTime(t.dueAt) : '', t.phone ? el('span', null, ' ', phoneLink(t.phone)) : null);
      }, 'No callbacks to make.');
    }).catch(function (error) { fillList('callbacks', [], null, 'Not loaded: ' + error.message); });
    api('GET', '/api/lead-exchange').then(function (data) {
      fillList('exchange', itemsOf(data), function (lead) {
        return el('li', null, el('strong', null, lead.title), (lead.phones || []).map(function (p) { return el('span', null, ' ', phoneLink(p)); }),
          lead.missedCalls ? ' · ' + lead.missedCalls + ' missed' : '',
          el('button', { type: 'button', class: 'small', onclick: function () { claim(lead.id); } }, 'Claim'));
      }, 'The lead exchange is empty.');
    }).catch(function (error) { fillList('exchange', [], null, 'Not loaded: ' + error.message); });
  }
  document.querySelector('[data-refresh]').addEventListener('click', refreshLists);

  window.addEventListener('offline', function () { setLink('offline'); });
  window.addEventListener('online', function () { if (state.socket && !state.socket.connected) state.socket.connect(); });

  if (state.token) start(); else logout('');
})();
