/* The wallboard: every person's live state, the calls waiting now and today's figures, for
 * supervisors and TVs. Plain browser JS, no build, no CDN. The view comes from GET /api/wallboard
 * (fetched again on every call event of the socket, every 5 s for DND and device changes, and on
 * every reconnect: the snapshot restores the board); timers tick here. Caller-controlled text goes
 * in with textContent only. */
(function () {
  'use strict';

  var i18n = window.switchboard.i18n;
  var t = i18n.t;
  var el = window.switchboard.dom.el;
  var clear = window.switchboard.dom.clear;
  var $ = function (id) { return document.getElementById(id); };
  var CALL_EVENTS = ['desk.snapshot', 'call.ringing', 'call.answered', 'call.taken', 'call.withdrawn', 'call.ended', 'call.missed'];
  var STATES = ['talking', 'ringing', 'dnd', 'offline', 'busy', 'available'];
  /** view: the last GET /api/wallboard; offset: this clock minus the PBX's (seconds); figures: today's. */
  var state = { socket: null, view: null, offset: 0, figures: null, problem: null, link: 'offline', timers: [], pending: null };

  var session = window.switchboard.session.create({
    tokenKey: 'switchboard.wallboard.token',
    onLogin: start,
    onLogout: function () {
      if (state.socket) { state.socket.disconnect(); state.socket = null; }
      state.timers.splice(0).forEach(clearInterval);
      state.view = null;
      $('board-view').hidden = true;
      $('login-view').hidden = false;
      $('who').textContent = '';
      setLink('offline');
    },
  });

  function api(path) { return session.json('GET', path); }

  function start() {
    $('login-view').hidden = true;
    $('board-view').hidden = false;
    $('logout').hidden = false;
    connect();
    refresh();
    figures();
    state.timers.push(setInterval(refresh, 5000), setInterval(figures, 30000), setInterval(tick, 1000));
  }

  function setLink(status) {
    state.link = status;
    var node = $('link');
    node.className = 'link ' + status;
    node.textContent = t('wb.link.' + status);
    document.body.setAttribute('data-link', status);
  }

  function connect() {
    setLink('connecting');
    var socket = io({ auth: { token: session.token(), scope: 'all' }, reconnectionDelay: 500, reconnectionDelayMax: 5000, transports: ['websocket', 'polling'] });
    state.socket = socket;
    socket.on('connect', function () { setLink('online'); refresh(); figures(); });
    socket.on('disconnect', function (reason) { setLink(reason === 'io client disconnect' ? 'offline' : 'connecting'); });
    socket.on('connect_error', function (error) {
      if (error && error.message === 'unauthorized') return session.logout('login.again');
      if (error && error.message === 'forbidden') return session.logout('wb.forbidden');
      setLink('connecting');
    });
    socket.on('desk.snapshot', function (snapshot) { $('who').textContent = snapshot.user ? snapshot.user.name : ''; });
    // Lead capture wrote a callback task or closed one: the overdue figure may change.
    socket.on('desk.listsChanged', function () { figures(); });
    CALL_EVENTS.forEach(function (name) {
      socket.on(name, function () {
        soon();
        if (name === 'call.ended' || name === 'call.missed') figures();
      });
    });
  }

  /** One fetch for a flurry of events. */
  function soon() {
    if (state.pending) return;
    state.pending = setTimeout(function () { state.pending = null; refresh(); }, 150);
  }

  function problem(key, values) {
    state.problem = key ? { key: key, values: values } : null;
    $('problem').textContent = key ? t(key, values) : '';
  }

  function refresh() {
    if (!session.loggedIn()) return;
    api('/api/wallboard')
      .then(function (view) {
        state.view = view;
        state.offset = Date.now() / 1000 - view.now;
        problem(null);
        render();
      })
      .catch(function (error) { problem(error.status === 403 ? 'wb.forbidden' : 'wb.notLoaded', { message: error.message }); });
  }

  function figures() {
    if (!session.loggedIn()) return;
    Promise.all([api('/api/stats/summary'), api('/api/stats/callbacks')])
      .then(function (results) {
        var overdue = (results[1].overdue || []).reduce(function (sum, row) { return sum + Number(row.overdue || 0); }, 0);
        var today = results[0].summary; // GET /api/stats/summary: { summary, steps, lines }
        state.figures = { answered: today.answered, missed: today.missed, abandoned: today.abandoned, overdue: overdue };
        renderFigures();
      })
      .catch(function (error) { problem('wb.notLoaded', { message: error.message }); });
  }

  /** Seconds since a PBX time, on the PBX's clock. */
  function elapsed(since) {
    var s = Math.max(0, Math.floor(Date.now() / 1000 - state.offset - since));
    var m = Math.floor(s / 60);
    return (m >= 60 ? Math.floor(m / 60) + ':' + String(m % 60).padStart(2, '0') : String(m)) + ':' + String(s % 60).padStart(2, '0');
  }
  function tick() {
    document.querySelectorAll('[data-since]').forEach(function (node) { node.textContent = elapsed(Number(node.getAttribute('data-since'))); });
    $('clock').textContent = i18n.time(Date.now());
  }

  /** "Remstroy · Alexey Smirnov", else the caller ID name, else the number. */
  function partyLabel(party) {
    if (party.client && (party.client.company || party.client.contact)) return [party.client.company, party.client.contact].filter(Boolean).join(' · ');
    if (party.callerIdName) return party.callerIdName;
    if (!party.phone || party.phone === 'anonymous') return t('wb.anonymous');
    return i18n.phone(party.phone);
  }
  function stepName(step) { return step ? i18n.step(step) : t('none'); }

  function renderFigures() {
    var root = $('today');
    clear(root);
    if (!state.figures) return;
    ['answered', 'missed', 'abandoned', 'overdue'].forEach(function (key) {
      var box = el('div');
      box.setAttribute('data-figure', key);
      box.appendChild(el('dt', t('wb.figure.' + key)));
      box.appendChild(el('dd', i18n.number(state.figures[key])));
      root.appendChild(box);
    });
  }

  function render() {
    var view = state.view;
    var people = $('people');
    clear(people);
    if (!view) return;
    if (!view.people.length) people.appendChild(el('li', t('wb.noPeople')));
    view.people.forEach(function (person) {
      var tile = el('li', null, 'person');
      tile.setAttribute('data-user', person.userId);
      tile.setAttribute('data-state', STATES.indexOf(person.state) >= 0 ? person.state : 'available');
      var head = el('div');
      head.appendChild(el('span', person.name, 'name'));
      if (person.extensions.length) head.appendChild(el('span', person.extensions.join(', '), 'ext'));
      tile.appendChild(head);
      var line = el('div');
      line.appendChild(el('span', t('wb.state.' + person.state), 'state'));
      if (person.since !== null) {
        var timer = el('span', elapsed(person.since), 'timer');
        timer.setAttribute('data-since', String(person.since));
        line.appendChild(timer);
      }
      tile.appendChild(line);
      if (person.call) {
        var party = el('div', t(person.state === 'talking' ? 'wb.with' : 'wb.from', { who: partyLabel(person.call) }), 'party');
        party.setAttribute('data-field', 'party');
        tile.appendChild(party);
      }
      people.appendChild(tile);
    });

    var table = $('waiting');
    clear(table);
    var head = el('tr');
    ['caller', 'wait', 'step', 'ringing'].forEach(function (key) { head.appendChild(el('th', t('wb.col.' + key))); });
    table.appendChild(head);
    if (!view.waiting.length) {
      var none = el('td', t('wb.noWaiting'), 'empty');
      none.colSpan = 4;
      table.appendChild(el('tr')).appendChild(none);
    }
    view.waiting.forEach(function (call) {
      var row = el('tr');
      row.setAttribute('data-linkedid', call.linkedid);
      row.appendChild(el('td', partyLabel(call)));
      var wait = el('td', elapsed(call.since), 'wait');
      wait.setAttribute('data-since', String(call.since));
      row.appendChild(wait);
      row.appendChild(el('td', stepName(call.step)));
      row.appendChild(el('td', call.ringing.join(', ') || t('none')));
      table.appendChild(row);
    });
  }

  window.addEventListener('offline', function () { setLink('offline'); });
  i18n.onChange(function () {
    setLink(state.link);
    render();
    renderFigures();
    tick();
    if (state.problem) problem(state.problem.key, state.problem.values);
  });

  if (session.loggedIn()) start(); else session.logout(null);
})();
