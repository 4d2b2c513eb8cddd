/* Call statistics dashboard: vanilla JS, data from /api/stats (bearer token from /api/auth/login).
   Every value from the server is rendered with textContent, never as HTML. */
(function () {
  'use strict';

  const TOKEN_KEY = 'switchboard.token';
  const LIVE_MS = 5000;
  /** While the period shown includes today, the figures reload when the live counters change, and at least this often. */
  const REFRESH_MS = 60000;
  const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const STEP_NAMES = { responsible: 'Responsible', department: 'Department', head_of_sales: 'Head of sales', ceo: 'CEO', owner: 'Owner', voicemail: 'Chain ran out', none: 'No step' };
  const $ = (id) => document.getElementById(id);

  const state = { data: null, query: null, charts: {}, sort: { key: 'name', dir: 1 }, drill: null, liveTimer: null, live: null, loadedAt: 0, loading: false };

  // ---- helpers -------------------------------------------------------------------------------
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function fmtSeconds(s) {
    if (s === null || s === undefined) return '—';
    if (s < 60) return (Math.round(s * 10) / 10) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
  }
  function fmtRate(r) { return r === null || r === undefined ? '—' : (Math.round(r * 1000) / 10) + ' %'; }
  function isoDate(d) { return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0'); }
  function addDays(dateText, n) { const d = new Date(dateText + 'T12:00:00'); d.setDate(d.getDate() + n); return isoDate(d); }
  function fmtTime(iso) { return iso ? new Date(iso).toLocaleString() : '—'; }

  async function api(path, params) {
    const url = new URL(path, location.origin);
    for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    const response = await fetch(url, { headers: { Authorization: 'Bearer ' + sessionStorage.getItem(TOKEN_KEY) } });
    if (response.status === 401) { logout(); throw new Error('Please log in again'); }
    if (response.status === 403) { showDenied('Your role may not see call statistics (head of sales, CEO, owner and admin only).'); throw new Error('forbidden'); }
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.message || ('HTTP ' + response.status));
    }
    return response;
  }

  // ---- views ---------------------------------------------------------------------------------
  function show(view) {
    for (const id of ['login-view', 'denied-view', 'dashboard-view']) $(id).hidden = id !== view;
    $('logout').hidden = view === 'login-view';
    $('live').hidden = view !== 'dashboard-view';
  }
  function showDenied(text) {
    $('denied-text').textContent = text;
    show('denied-view');
    stopLive();
  }
  function logout() {
    sessionStorage.removeItem(TOKEN_KEY);
    stopLive();
    show('login-view');
  }

  async function login(event) {
    event.preventDefault();
    $('login-error').textContent = '';
    const response = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: $('login-email').value, password: $('login-password').value }),
    });
    if (!response.ok) { $('login-error').textContent = 'Wrong email or password'; return; }
    const body = await response.json();
    sessionStorage.setItem(TOKEN_KEY, body.accessToken);
    start();
  }

  function currentQuery() {
    return {
      from: $('f-from').value,
      to: addDays($('f-to').value, 1),
      did: $('f-did').value,
      departmentId: $('f-dept').value,
    };
  }

  function preset(name) {
    const today = new Date();
    let from = new Date(today);
    if (name === 'week') from.setDate(today.getDate() - ((today.getDay() + 6) % 7));
    else if (name === 'month') from = new Date(today.getFullYear(), today.getMonth(), 1);
    else if (name === '30') from.setDate(today.getDate() - 29);
    $('f-from').value = isoDate(from);
    $('f-to').value = isoDate(today);
    load();
  }

  async function load(event) {
    if (event) event.preventDefault();
    $('status').textContent = 'Loading…';
    await showPeriod(currentQuery());
  }

  /** `to` is exclusive: the period includes today when from ≤ today < to. */
  function includesToday(query) {
    const today = isoDate(new Date());
    return Boolean(query) && query.from <= today && today < query.to;
  }

  /** The period shown, loaded again (the form's unsubmitted edits are left alone). */
  function refresh() {
    if (state.loading || !includesToday(state.query)) return;
    showPeriod(state.query);
  }

  async function showPeriod(query) {
    state.loading = true;
    try {
      const data = await (await api('/api/stats/dashboard', query)).json();
      state.data = data;
      state.query = query;
      render(data);
      $('status').textContent = 'Updated ' + new Date().toLocaleTimeString() + ' · ' + data.timings.total + ' ms' + (includesToday(query) ? ' · updates itself' : '');
      document.body.dataset.loaded = 'true';
    } catch (error) {
      $('status').textContent = error.message;
    } finally {
      state.loading = false;
      state.loadedAt = Date.now();
    }
  }

  function render(data) {
    fillSelect($('f-did'), data.lines.map((l) => ({ value: l.line || '', text: l.line || 'no line' })), state.query.did, 'All lines');
    fillSelect($('f-dept'), data.departments.map((d) => ({ value: d.id, text: d.name })), state.query.departmentId, 'All departments');
    renderKpis(data);
    renderDaily(data.daily);
    renderSteps(data.steps);
    renderCallbacks(data.callbacks);
    renderHeatmap(data.heatmap);
    renderManagers();
    renderLines(data.lines);
    renderOverdue(data.callbacks.overdue);
  }

  function fillSelect(select, options, selected, allText) {
    const known = new Set(options.map((o) => o.value));
    if (selected && !known.has(selected)) options.push({ value: selected, text: selected });
    clear(select);
    select.appendChild(el('option', allText)).value = '';
    for (const o of options) {
      const option = el('option', o.text);
      option.value = o.value;
      select.appendChild(option);
    }
    select.value = selected || '';
  }

  function kpi(key, label, value, sub, drill) {
    const tile = el('button', null, 'kpi');
    tile.type = 'button';
    tile.dataset.kpi = key;
    tile.appendChild(el('span', label, 'label'));
    const v = el('span', value, 'value');
    v.dataset.value = key;
    tile.appendChild(v);
    if (sub) tile.appendChild(el('span', sub, 'sub'));
    if (drill) tile.addEventListener('click', () => openDrill(drill.title || label, drill));
    else tile.disabled = true;
    return tile;
  }

  function renderKpis(data) {
    const s = data.summary;
    const c = data.callbacks;
    const box = $('kpis');
    clear(box);
    box.append(
      kpi('inbound', 'Inbound calls', s.inbound, null, { metric: 'inbound' }),
      kpi('answered', 'Answered', s.answered, fmtRate(s.answerRate) + ' of inbound', { metric: 'answered' }),
      kpi('missed', 'Missed', s.missed, null, { metric: 'missed' }),
      kpi('abandoned', 'Abandoned (lost)', s.abandoned, 'median wait ' + fmtSeconds(s.abandonedWaitMedian), { metric: 'abandoned' }),
      kpi('unanswered', 'Unanswered after the chain', s.unanswered, s.voicemail + ' to voicemail', { metric: 'unanswered' }),
      kpi('speed', 'Speed to answer', fmtSeconds(s.answerSpeedMedian), 'median · avg ' + fmtSeconds(s.answerSpeedAvg), { metric: 'answered' }),
      kpi('new', 'New callers', s.fromNew, s.newNumbers + ' numbers', { metric: 'new' }),
      kpi('known', 'Known callers', s.fromKnown, s.knownNumbers + ' numbers', { metric: 'known' }),
      kpi('anonymous', 'Anonymous', s.fromAnonymous, null, { metric: 'anonymous' }),
      kpi('outbound', 'Outbound calls', s.outbound, s.outboundAnswered + ' answered', { metric: 'outbound' }),
      kpi('callback', 'Callback speed', fmtSeconds(c.callbackMedian), 'median of ' + c.calledBack + ' of ' + c.tasks, null),
      kpi('sla', 'Called back within SLA', fmtRate(c.withinSlaShare), c.withinSla + ' of ' + c.tasks + ' (' + Math.round(c.slaSeconds / 60) + ' min)', null),
      kpi('never', 'Never called back', fmtRate(c.neverCalledBackShare), c.neverCalledBack + ' tasks, ' + c.stillOpen + ' open', null),
    );
  }

  function chart(id, config) {
    if (state.charts[id]) state.charts[id].destroy();
    state.charts[id] = new window.Chart($(id), config);
  }

  function renderDaily(days) {
    chart('chart-daily', {
      type: 'bar',
      data: {
        labels: days.map((d) => d.day),
        datasets: [
          { label: 'Answered', data: days.map((d) => d.answered), backgroundColor: '#2da44e', stack: 'in' },
          { label: 'Abandoned', data: days.map((d) => d.abandoned), backgroundColor: '#cf222e', stack: 'in' },
          { label: 'Unanswered', data: days.map((d) => d.unanswered), backgroundColor: '#bf8700', stack: 'in' },
          { label: 'Outbound', data: days.map((d) => d.outbound), backgroundColor: '#8c959f', stack: 'out' },
        ],
      },
      options: {
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        onClick: (_e, items) => {
          if (!items.length) return;
          const day = days[items[0].index].day;
          const metric = ['answered', 'abandoned', 'unanswered', 'outbound'][items[0].datasetIndex];
          openDrill(metric + ' on ' + day, { metric, day });
        },
      },
    });
  }

  function renderSteps(steps) {
    const shown = steps.filter((s) => s.step !== 'voicemail');
    chart('chart-steps', {
      type: 'bar',
      data: { labels: shown.map((s) => STEP_NAMES[s.step] || s.step), datasets: [{ label: 'Answered', data: shown.map((s) => s.answered), backgroundColor: '#1f6feb' }] },
      options: {
        animation: false,
        indexAxis: 'y',
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        onClick: (_e, items) => {
          if (!items.length) return;
          const step = shown[items[0].index].step;
          openDrill('Answered at ' + (STEP_NAMES[step] || step), { metric: 'answered', step });
        },
      },
    });
  }

  function renderCallbacks(c) {
    chart('chart-callbacks', {
      type: 'bar',
      data: {
        labels: c.distribution.map((b) => b.label),
        datasets: [{ label: 'Callback tasks', data: c.distribution.map((b) => b.count), backgroundColor: c.distribution.map((b) => (b.key === 'never' ? '#cf222e' : '#2da44e')) }],
      },
      options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  function renderHeatmap(h) {
    const table = $('heatmap');
    clear(table);
    const head = table.appendChild(el('tr'));
    head.appendChild(el('th', ''));
    for (let hour = 0; hour < 24; hour++) head.appendChild(el('th', hour));
    head.appendChild(el('th', 'Σ'));
    const max = Math.max(1, ...h.inbound.flat());
    h.inbound.forEach((row, d) => {
      const tr = table.appendChild(el('tr'));
      tr.appendChild(el('th', DAY_NAMES[d]));
      row.forEach((count, hour) => {
        const td = tr.appendChild(el('td', count || ''));
        td.dataset.dow = String(d + 1);
        td.dataset.hour = String(hour);
        td.dataset.count = String(count);
        td.title = DAY_NAMES[d] + ' ' + hour + ':00 — ' + count + ' inbound, ' + h.missed[d][hour] + ' missed';
        const alpha = count / max;
        td.style.backgroundColor = 'rgba(31, 111, 235, ' + (0.08 + alpha * 0.8).toFixed(3) + ')';
        if (alpha > 0.5) td.style.color = '#fff';
        if (count) td.addEventListener('click', () => openDrill('Inbound, ' + DAY_NAMES[d] + ' ' + hour + ':00', { metric: 'inbound', dow: d + 1, hour }));
      });
      tr.appendChild(el('td', row.reduce((a, b) => a + b, 0)));
    });
  }

  const MANAGER_COLUMNS = [
    { key: 'name', label: 'Name', text: true },
    { key: 'department', label: 'Department', text: true },
    { key: 'rang', label: 'Rang', drill: 'user_rang' },
    { key: 'answered', label: 'Answered', drill: 'user_answered' },
    { key: 'missed', label: 'Missed', drill: 'user_missed' },
    { key: 'answerRate', label: 'Answer rate', fmt: fmtRate },
    { key: 'answerSpeedMedian', label: 'Pick-up median', fmt: fmtSeconds },
    { key: 'answerSpeedAvg', label: 'Pick-up avg', fmt: fmtSeconds },
    { key: 'outbound', label: 'Outbound', drill: 'user_outbound' },
    { key: 'talkTotal', label: 'Talk total', fmt: fmtSeconds },
    { key: 'talkAvg', label: 'Talk avg', fmt: fmtSeconds },
    { key: 'callbacks', label: 'Callbacks' },
    { key: 'callbackMedian', label: 'Callback median', fmt: fmtSeconds },
    { key: 'overdueCallbacks', label: 'Overdue callbacks' },
  ];

  function renderManagers() {
    const rows = [...state.data.managers];
    const { key, dir } = state.sort;
    rows.sort((a, b) => {
      const x = a[key];
      const y = b[key];
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (typeof x === 'string' ? x.localeCompare(y) : x - y) * dir;
    });
    const table = $('managers');
    clear(table);
    const head = table.appendChild(el('tr'));
    for (const col of MANAGER_COLUMNS) {
      const th = head.appendChild(el('th', col.label));
      th.dataset.key = col.key;
      if (col.key === key) th.className = dir > 0 ? 'sorted-asc' : 'sorted-desc';
      th.addEventListener('click', () => {
        state.sort = { key: col.key, dir: state.sort.key === col.key ? -state.sort.dir : col.text ? 1 : -1 };
        renderManagers();
      });
    }
    for (const row of rows) {
      const tr = table.appendChild(el('tr'));
      tr.dataset.user = row.userId;
      for (const col of MANAGER_COLUMNS) {
        const value = row[col.key];
        const td = tr.appendChild(el('td', col.fmt ? col.fmt(value) : value === null ? '—' : value));
        td.dataset.col = col.key;
        if (col.drill && value > 0) {
          td.className = 'drillable';
          td.addEventListener('click', () => openDrill(col.label + ' — ' + row.name, { metric: col.drill, userId: row.userId }));
        }
      }
    }
  }

  function renderLines(lines) {
    const table = $('lines');
    clear(table);
    const head = table.appendChild(el('tr'));
    for (const h of ['Line', 'Inbound', 'Answered', 'Abandoned', 'Unanswered', 'Answer rate', 'New callers']) head.appendChild(el('th', h));
    for (const line of lines) {
      const tr = table.appendChild(el('tr'));
      tr.appendChild(el('td', line.line || '—'));
      const cells = [['inbound', line.inbound], ['answered', line.answered], ['abandoned', line.abandoned], ['unanswered', line.unanswered]];
      for (const [metric, value] of cells) {
        const td = tr.appendChild(el('td', value, value > 0 ? 'drillable' : ''));
        if (value > 0) td.addEventListener('click', () => openDrill(metric + ' on line ' + (line.line || '—'), { metric, did: line.line || undefined }));
      }
      tr.appendChild(el('td', fmtRate(line.answerRate)));
      tr.appendChild(el('td', line.fromNew));
    }
  }

  function renderOverdue(rows) {
    const table = $('overdue');
    clear(table);
    const head = table.appendChild(el('tr'));
    for (const h of ['Assignee', 'Overdue', 'Oldest due']) head.appendChild(el('th', h));
    if (rows.length === 0) table.appendChild(el('tr')).appendChild(el('td', 'None'));
    for (const row of rows) {
      const tr = table.appendChild(el('tr'));
      tr.appendChild(el('td', row.name || 'Lead exchange (nobody)'));
      tr.appendChild(el('td', row.overdue));
      tr.appendChild(el('td', fmtTime(row.oldestDueAt)));
    }
  }

  // ---- drill-down ----------------------------------------------------------------------------
  async function openDrill(title, params) {
    state.drill = { title, params: Object.assign({}, state.query, params), offset: 0 };
    $('drill-title').textContent = title;
    clear($('drill-table'));
    $('drill').hidden = false;
    await loadDrill();
    $('drill').scrollIntoView({ behavior: 'instant', block: 'start' });
  }

  async function loadDrill() {
    const drill = state.drill;
    const page = await (await api('/api/stats/calls', Object.assign({}, drill.params, { limit: 100, offset: drill.offset }))).json();
    const table = $('drill-table');
    if (drill.offset === 0) {
      const head = table.appendChild(el('tr'));
      for (const h of ['Started', 'Direction', 'Client', 'Name', 'Line', 'Outcome', 'Step', 'Answered by', 'Ring', 'Talk', 'Legs', 'Recording']) head.appendChild(el('th', h));
    }
    for (const call of page.items) {
      const tr = table.appendChild(el('tr'));
      tr.dataset.linkedid = call.linkedid;
      tr.appendChild(el('td', fmtTime(call.startedAt)));
      tr.appendChild(el('td', call.direction));
      tr.appendChild(el('td', call.caller));
      tr.appendChild(el('td', call.callerName || ''));
      tr.appendChild(el('td', call.did || ''));
      tr.appendChild(el('td', call.disposition === 'answered' ? 'answered' : call.abandoned ? 'abandoned' : call.voicemail ? 'voicemail' : 'missed'));
      tr.appendChild(el('td', STEP_NAMES[call.stepReached] || call.stepReached || ''));
      tr.appendChild(el('td', call.answeredByName ? call.answeredByName + ' (' + call.answeredByExtension + ')' : call.answeredByExtension || ''));
      tr.appendChild(el('td', fmtSeconds(call.ringSeconds)));
      tr.appendChild(el('td', fmtSeconds(call.talkSeconds)));
      const legs = call.legs.map((l) => (l.name || l.extension) + ': ' + (l.step || '—') + ' → ' + l.outcome.replace(/_/g, ' ')).join('; ');
      tr.appendChild(el('td', legs + (call.transferredTo ? '; transferred to ' + call.transferredTo : ''), 'legs'));
      const rec = tr.appendChild(el('td'));
      if (call.recordingFile) {
        if (/^https?:\/\//i.test(call.recordingFile)) {
          const a = rec.appendChild(el('a', 'listen'));
          a.href = call.recordingFile;
          a.rel = 'noopener noreferrer';
          a.target = '_blank';
        } else rec.textContent = call.recordingFile;
      }
    }
    drill.offset += page.items.length;
    $('drill-summary').textContent = page.total + ' call(s)';
    $('drill').dataset.total = String(page.total);
    $('drill-more').hidden = drill.offset >= page.total;
  }

  async function download(path, params, name) {
    const blob = await (await api(path, params)).blob();
    const a = el('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // ---- live counters -------------------------------------------------------------------------
  async function pollLive() {
    try {
      const live = await (await api('/api/stats/live')).json();
      $('live-ringing').textContent = String(live.ringing);
      $('live-talking').textContent = String(live.talking);
      // Calls started or ended: today's figures have moved.
      const key = live.ringing + ':' + live.talking;
      if ((state.live !== null && key !== state.live) || Date.now() - state.loadedAt >= REFRESH_MS) refresh();
      state.live = key;
    } catch (_) { /* shown by the next successful poll */ }
  }
  function startLive() {
    stopLive();
    pollLive();
    state.liveTimer = setInterval(pollLive, LIVE_MS);
  }
  function stopLive() {
    if (state.liveTimer) clearInterval(state.liveTimer);
    state.liveTimer = null;
  }

  // ---- start ---------------------------------------------------------------------------------
  function start() {
    if (!sessionStorage.getItem(TOKEN_KEY)) { show('login-view'); return; }
    show('dashboard-view');
    const params = new URLSearchParams(location.search);
    if (!$('f-from').value) {
      const today = new Date();
      $('f-from').value = params.get('from') || isoDate(new Date(today.getFullYear(), today.getMonth(), 1));
      $('f-to').value = params.get('to') || isoDate(today);
    }
    load();
    startLive();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', login);
    $('logout').addEventListener('click', logout);
    $('filters').addEventListener('submit', load);
    for (const b of document.querySelectorAll('[data-preset]')) b.addEventListener('click', () => preset(b.dataset.preset));
    $('drill-close').addEventListener('click', () => { $('drill').hidden = true; });
    $('drill-more').addEventListener('click', () => loadDrill());
    $('export-calls').addEventListener('click', (e) => { e.preventDefault(); download('/api/stats/export/calls', state.drill.params, 'calls.csv'); });
    $('export-managers').addEventListener('click', (e) => { e.preventDefault(); download('/api/stats/export/managers', state.query, 'managers.csv'); });
    start();
  });
})();
