/* Call statistics dashboard: vanilla JS, data from /api/stats (bearer token from /api/auth/login).
   Every value from the server is rendered with textContent, never as HTML.
   Texts: dashboard.texts.js; login and language: src/pages/common. */
(function () {
  'use strict';

  const i18n = window.switchboard.i18n;
  const t = i18n.t;
  const LIVE_MS = 5000;
  /** While the period shown includes today, the figures reload when the live counters change, and at least this often. */
  const REFRESH_MS = 60000;
  const STEPS = ['responsible', 'department', 'head_of_sales', 'ceo', 'owner', 'voicemail', 'none'];
  const LEG_OUTCOMES = ['answered', 'no_answer', 'busy', 'rejected', 'cancelled_other_answered', 'cancelled_caller_hung_up', 'unavailable'];
  const $ = (id) => document.getElementById(id);
  const dayName = (index) => t('dash.days').split(',')[index];
  const stepName = (step) => (STEPS.includes(step) ? t('dash.step.' + step) : step);
  const metricName = (metric) => t('dash.metric.' + metric);

  const state = { data: null, queues: null, query: null, charts: {}, sort: { key: 'name', dir: 1 }, drill: null, liveTimer: null, live: null, loadedAt: 0, loading: false };

  // ---- helpers -------------------------------------------------------------------------------
  const { el, clear } = window.switchboard.dom;
  const fmtSeconds = i18n.duration;
  const fmtRate = i18n.percent;
  const fmtNumber = i18n.number;
  function isoDate(d) { return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0'); }
  function addDays(dateText, n) { const d = new Date(dateText + 'T12:00:00'); d.setDate(d.getDate() + n); return isoDate(d); }
  const fmtTime = i18n.dateTime;

  const session = window.switchboard.session.create({
    tokenKey: 'switchboard.token',
    onLogin: () => start(),
    onLogout: () => { stopLive(); show('login-view'); },
  });

  /** GET with the user's token; a 403 shows the "not for your role" view. */
  async function api(path, params) {
    const url = new URL(path, location.origin);
    for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    try {
      return await session.request('GET', url.pathname + url.search);
    } catch (error) {
      if (error.status === 403) { show('denied-view'); stopLive(); }
      throw error;
    }
  }

  // ---- views ---------------------------------------------------------------------------------
  function show(view) {
    for (const id of ['login-view', 'denied-view', 'dashboard-view']) $(id).hidden = id !== view;
    $('logout').hidden = view === 'login-view';
    $('live').hidden = view !== 'dashboard-view';
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
    $('status').textContent = t('dash.loading');
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
      const [data, queues] = await Promise.all([
        api('/api/stats/dashboard', query).then((response) => response.json()),
        // The customer's app_queue queues: by line, not by department (a queue's callers are no one's).
        api('/api/stats/queues', { from: query.from, to: query.to, did: query.did }).then((response) => response.json()),
      ]);
      state.data = data;
      state.queues = queues;
      state.query = query;
      render(data);
      renderQueues(queues);
      state.updatedAt = new Date();
      renderStatus();
      document.body.dataset.loaded = 'true';
    } catch (error) {
      $('status').textContent = error.message;
    } finally {
      state.loading = false;
      state.loadedAt = Date.now();
    }
  }

  function renderStatus() {
    $('status').textContent = t('dash.updated', { time: i18n.time(state.updatedAt), ms: fmtNumber(state.data.timings.total) }) + (includesToday(state.query) ? t('dash.updatesItself') : '');
  }

  function render(data) {
    fillSelect($('f-did'), data.lines.map((l) => ({ value: l.line || '', text: l.line || t('dash.noLine') })), state.query.did, t('dash.allLines'));
    fillSelect($('f-dept'), data.departments.map((d) => ({ value: d.id, text: d.name })), state.query.departmentId, t('dash.allDepartments'));
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
    const n = fmtNumber;
    box.append(
      kpi('inbound', t('dash.kpi.inbound'), n(s.inbound), null, { metric: 'inbound' }),
      kpi('answered', t('dash.kpi.answered'), n(s.answered), t('dash.kpi.answeredSub', { rate: fmtRate(s.answerRate) }), { metric: 'answered' }),
      kpi('missed', t('dash.kpi.missed'), n(s.missed), null, { metric: 'missed' }),
      kpi('abandoned', t('dash.kpi.abandoned'), n(s.abandoned), t('dash.kpi.abandonedSub', { wait: fmtSeconds(s.abandonedWaitMedian) }), { metric: 'abandoned' }),
      kpi('unanswered', t('dash.kpi.unanswered'), n(s.unanswered), t('dash.kpi.unansweredSub', { n: n(s.voicemail) }), { metric: 'unanswered' }),
      kpi('speed', t('dash.kpi.speed'), fmtSeconds(s.answerSpeedMedian), t('dash.kpi.speedSub', { avg: fmtSeconds(s.answerSpeedAvg) }), { metric: 'answered' }),
      kpi('new', t('dash.kpi.new'), n(s.fromNew), t('dash.kpi.numbersSub', { n: n(s.newNumbers) }), { metric: 'new' }),
      kpi('known', t('dash.kpi.known'), n(s.fromKnown), t('dash.kpi.numbersSub', { n: n(s.knownNumbers) }), { metric: 'known' }),
      kpi('anonymous', t('dash.kpi.anonymous'), n(s.fromAnonymous), null, { metric: 'anonymous' }),
      kpi('outbound', t('dash.kpi.outbound'), n(s.outbound), t('dash.kpi.outboundSub', { n: n(s.outboundAnswered) }), { metric: 'outbound' }),
      kpi('callback', t('dash.kpi.callback'), fmtSeconds(c.callbackMedian), t('dash.kpi.callbackSub', { done: n(c.calledBack), tasks: n(c.tasks) }), null),
      kpi('sla', t('dash.kpi.sla'), fmtRate(c.withinSlaShare), t('dash.kpi.slaSub', { done: n(c.withinSla), tasks: n(c.tasks), minutes: n(Math.round(c.slaSeconds / 60)) }), null),
      kpi('never', t('dash.kpi.never'), fmtRate(c.neverCalledBackShare), t('dash.kpi.neverSub', { n: n(c.neverCalledBack), open: n(c.stillOpen) }), null),
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
        labels: days.map((d) => i18n.date(d.day)),
        datasets: [
          { label: metricName('answered'), data: days.map((d) => d.answered), backgroundColor: '#2da44e', stack: 'in' },
          { label: metricName('abandoned'), data: days.map((d) => d.abandoned), backgroundColor: '#cf222e', stack: 'in' },
          { label: metricName('unanswered'), data: days.map((d) => d.unanswered), backgroundColor: '#bf8700', stack: 'in' },
          { label: metricName('outbound'), data: days.map((d) => d.outbound), backgroundColor: '#8c959f', stack: 'out' },
        ],
      },
      options: {
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        onClick: (_e, items) => {
          if (!items.length) return;
          const day = days[items[0].index].day;
          const metric = ['answered', 'abandoned', 'unanswered', 'outbound'][items[0].datasetIndex];
          openDrill(t('dash.drill.onDay', { metric: metricName(metric), day: i18n.date(day) }), { metric, day });
        },
      },
    });
  }

  function renderSteps(steps) {
    const shown = steps.filter((s) => s.step !== 'voicemail');
    chart('chart-steps', {
      type: 'bar',
      data: { labels: shown.map((s) => stepName(s.step)), datasets: [{ label: metricName('answered'), data: shown.map((s) => s.answered), backgroundColor: '#1f6feb' }] },
      options: {
        animation: false,
        indexAxis: 'y',
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        onClick: (_e, items) => {
          if (!items.length) return;
          const step = shown[items[0].index].step;
          openDrill(t('dash.drill.atStep', { step: stepName(step) }), { metric: 'answered', step });
        },
      },
    });
  }

  function renderCallbacks(c) {
    chart('chart-callbacks', {
      type: 'bar',
      data: {
        labels: c.distribution.map((b) => t('dash.bucket.' + b.key) === 'dash.bucket.' + b.key ? b.label : t('dash.bucket.' + b.key)),
        datasets: [{ label: metricName('callbackTasks'), data: c.distribution.map((b) => b.count), backgroundColor: c.distribution.map((b) => (b.key === 'never' ? '#cf222e' : '#2da44e')) }],
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
      tr.appendChild(el('th', dayName(d)));
      row.forEach((count, hour) => {
        const td = tr.appendChild(el('td', count || ''));
        td.dataset.dow = String(d + 1);
        td.dataset.hour = String(hour);
        td.dataset.count = String(count);
        td.title = t('dash.heatTitle', { day: dayName(d), hour, inbound: fmtNumber(count), missed: fmtNumber(h.missed[d][hour]) });
        const alpha = count / max;
        // Light cells with dark digits, dark cells with white ones: both AA (4.5:1) — no shade in between.
        const dark = alpha > 0.5;
        td.style.backgroundColor = 'rgba(13, 71, 161, ' + (dark ? 0.75 + (alpha - 0.5) * 0.4 : 0.06 + alpha * 0.7).toFixed(3) + ')';
        if (dark) td.style.color = '#fff';
        if (count) td.addEventListener('click', () => openDrill(t('dash.drill.heat', { day: dayName(d), hour }), { metric: 'inbound', dow: d + 1, hour }));
      });
      tr.appendChild(el('td', row.reduce((a, b) => a + b, 0)));
    });
  }

  const MANAGER_COLUMNS = [
    { key: 'name', text: true },
    { key: 'department', text: true },
    { key: 'rang', drill: 'user_rang' },
    { key: 'answered', drill: 'user_answered' },
    { key: 'missed', drill: 'user_missed' },
    { key: 'answerRate', fmt: fmtRate },
    { key: 'answerSpeedMedian', fmt: fmtSeconds },
    { key: 'answerSpeedAvg', fmt: fmtSeconds },
    { key: 'outbound', drill: 'user_outbound' },
    { key: 'talkTotal', fmt: fmtSeconds },
    { key: 'talkAvg', fmt: fmtSeconds },
    { key: 'callbacks' },
    { key: 'callbackMedian', fmt: fmtSeconds },
    { key: 'overdueCallbacks' },
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
      const th = head.appendChild(el('th', t('dash.col.' + col.key)));
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
        const td = tr.appendChild(el('td', col.fmt ? col.fmt(value) : col.text ? (value === null ? '—' : value) : fmtNumber(value)));
        td.dataset.col = col.key;
        if (col.drill && value > 0) {
          td.className = 'drillable';
          td.addEventListener('click', () => openDrill(t('dash.col.' + col.key) + ' — ' + row.name, { metric: col.drill, userId: row.userId }));
        }
      }
    }
  }

  function renderLines(lines) {
    const table = $('lines');
    clear(table);
    const head = table.appendChild(el('tr'));
    for (const h of [t('dash.lines.line'), metricName('inbound'), metricName('answered'), metricName('abandoned'), metricName('unanswered'), t('dash.col.answerRate'), t('dash.lines.newCallers')]) head.appendChild(el('th', h));
    for (const line of lines) {
      const tr = table.appendChild(el('tr'));
      tr.appendChild(el('td', line.line || '—'));
      const cells = [['inbound', line.inbound], ['answered', line.answered], ['abandoned', line.abandoned], ['unanswered', line.unanswered]];
      for (const [metric, value] of cells) {
        const td = tr.appendChild(el('td', fmtNumber(value), value > 0 ? 'drillable' : ''));
        if (value > 0) td.addEventListener('click', () => openDrill(t('dash.drill.onLine', { metric: metricName(metric), line: line.line || '—' }), { metric, did: line.line || undefined }));
      }
      tr.appendChild(el('td', fmtRate(line.answerRate)));
      tr.appendChild(el('td', fmtNumber(line.fromNew)));
    }
  }

  /** The queues table: shown only when the period has queue calls (a PBX without queues sees none). */
  function renderQueues(view) {
    const table = $('queues');
    clear(table);
    const pbx = view.pbx || { abandonedBeforeRinging: 0, voicemailMessages: 0 };
    $('queues-card').hidden = view.queues.length === 0 && pbx.abandonedBeforeRinging === 0 && pbx.voicemailMessages === 0;
    $('pbx-figures').textContent = t('dash.queues.pbx', { abandoned: fmtNumber(pbx.abandonedBeforeRinging), messages: fmtNumber(pbx.voicemailMessages) });
    const head = table.appendChild(el('tr'));
    const headings = [t('dash.queues.queue'), t('dash.queues.offered'), metricName('answered'), metricName('abandoned'), t('dash.queues.left'),
      t('dash.queues.answeredWithin', { seconds: view.answeredWithinSeconds }), t('dash.queues.serviceLevel'), t('dash.queues.answerWait'),
      t('dash.queues.abandonedWait'), t('dash.queues.abandonedWaitMax')];
    for (const h of headings) head.appendChild(el('th', h));
    const rows = view.queues.length > 1 ? view.queues.concat([Object.assign({ queue: t('dash.queues.total') }, view.total)]) : view.queues;
    for (const q of rows) {
      const tr = table.appendChild(el('tr'));
      tr.dataset.queue = q.queue;
      const cells = [['queue', q.queue], ['offered', fmtNumber(q.offered)], ['answered', fmtNumber(q.answered)], ['abandoned', fmtNumber(q.abandoned)],
        ['left', fmtNumber(q.left)], ['answeredWithin', fmtNumber(q.answeredWithin)], ['serviceLevel', fmtRate(q.serviceLevel)],
        ['answerWaitAvg', fmtSeconds(q.answerWaitAvg)], ['abandonedWaitAvg', fmtSeconds(q.abandonedWaitAvg)], ['abandonedWaitMax', fmtSeconds(q.abandonedWaitMax)]];
      for (const [col, text] of cells) tr.appendChild(el('td', text)).dataset.col = col;
    }
  }

  function renderOverdue(rows) {
    const table = $('overdue');
    clear(table);
    const head = table.appendChild(el('tr'));
    for (const h of [t('dash.overdue.assignee'), t('dash.overdue.count'), t('dash.overdue.oldest')]) head.appendChild(el('th', h));
    if (rows.length === 0) table.appendChild(el('tr')).appendChild(el('td', t('dash.overdue.none')));
    for (const row of rows) {
      const tr = table.appendChild(el('tr'));
      tr.appendChild(el('td', row.name || t('dash.overdue.exchange')));
      tr.appendChild(el('td', fmtNumber(row.overdue)));
      tr.appendChild(el('td', fmtTime(row.oldestDueAt)));
    }
  }

  // ---- drill-down ----------------------------------------------------------------------------
  async function openDrill(title, params) {
    state.drill = { title, params: Object.assign({}, state.query, params), offset: 0, items: [], total: 0 };
    $('drill-title').textContent = title;
    clear($('drill-table'));
    $('drill').hidden = false;
    await loadDrill();
    $('drill').scrollIntoView({ behavior: 'instant', block: 'start' });
  }

  async function loadDrill() {
    const drill = state.drill;
    const page = await (await api('/api/stats/calls', Object.assign({}, drill.params, { limit: 100, offset: drill.offset }))).json();
    drill.items.push(...page.items);
    drill.offset += page.items.length;
    drill.total = page.total;
    renderDrill();
  }

  const DRILL_COLUMNS = ['started', 'direction', 'client', 'name', 'line', 'outcome', 'step', 'answeredBy', 'ring', 'talk', 'legs', 'recording'];

  function legOutcome(outcome) { return LEG_OUTCOMES.includes(outcome) ? t('dash.leg.' + outcome) : outcome.replace(/_/g, ' '); }
  function callOutcome(call) {
    if (call.disposition !== 'answered' && call.voicemailMessage) return t('dash.outcome.voicemailMessage');
    return t('dash.outcome.' + (call.disposition === 'answered' ? 'answered' : call.abandoned ? 'abandoned' : call.voicemail ? 'voicemail' : 'missed'));
  }
  function directionName(direction) { return direction === 'inbound' || direction === 'outbound' ? t('dash.direction.' + direction) : direction; }

  function renderDrill() {
    const drill = state.drill;
    const table = $('drill-table');
    clear(table);
    const head = table.appendChild(el('tr'));
    for (const h of DRILL_COLUMNS) head.appendChild(el('th', t('dash.call.' + h)));
    for (const call of drill.items) {
      const tr = table.appendChild(el('tr'));
      tr.dataset.linkedid = call.linkedid;
      tr.appendChild(el('td', fmtTime(call.startedAt)));
      tr.appendChild(el('td', directionName(call.direction)));
      // The client as the CRM names them now, then the number (caller-controlled text, as text).
      const client = call.client ? [call.client.company, call.client.contact].filter(Boolean).join(' · ') : '';
      tr.appendChild(el('td', client ? client + ' · ' + call.caller : call.caller));
      tr.appendChild(el('td', call.callerName || ''));
      tr.appendChild(el('td', call.did || ''));
      tr.appendChild(el('td', callOutcome(call)));
      tr.appendChild(el('td', call.stepReached ? stepName(call.stepReached) : ''));
      tr.appendChild(el('td', call.answeredByName ? call.answeredByName + ' (' + call.answeredByExtension + ')' : call.answeredByExtension || ''));
      tr.appendChild(el('td', fmtSeconds(call.ringSeconds)));
      tr.appendChild(el('td', fmtSeconds(call.talkSeconds)));
      const legs = call.legs.map((l) => (l.name || l.extension) + ': ' + (l.step ? (STEPS.includes(l.step) ? t('dash.legStep.' + l.step) : l.step) : '—') + ' → ' + legOutcome(l.outcome)).join('; ');
      tr.appendChild(el('td', legs + (call.transferredTo ? '; ' + t('dash.call.transferredTo', { to: call.transferredTo }) : ''), 'legs'));
      const rec = tr.appendChild(el('td'));
      if (call.recordingFile) {
        if (/^https?:\/\//i.test(call.recordingFile)) {
          const a = rec.appendChild(el('a', t('dash.call.listen')));
          a.href = call.recordingFile;
          a.rel = 'noopener noreferrer';
          a.target = '_blank';
        } else rec.textContent = call.recordingFile;
      }
    }
    $('drill-summary').textContent = t('dash.calls', { n: fmtNumber(drill.total) });
    $('drill').dataset.total = String(drill.total);
    $('drill-more').hidden = drill.offset >= drill.total;
  }

  /** A CSV export with its column titles in the page's language. */
  async function download(path, params, name) {
    const blob = await (await api(path, Object.assign({}, params, { lang: i18n.lang() }))).blob();
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
    if (!session.loggedIn()) { show('login-view'); return; }
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
    i18n.onChange(() => {
      if (!state.data) return;
      render(state.data);
      renderQueues(state.queues);
      renderStatus();
      if (state.drill && !$('drill').hidden) renderDrill();
    });
    $('filters').addEventListener('submit', load);
    for (const b of document.querySelectorAll('[data-preset]')) b.addEventListener('click', () => preset(b.dataset.preset));
    $('drill-close').addEventListener('click', () => { $('drill').hidden = true; });
    $('drill-more').addEventListener('click', () => loadDrill());
    $('export-calls').addEventListener('click', (e) => { e.preventDefault(); download('/api/stats/export/calls', state.drill.params, 'calls.csv'); });
    $('export-managers').addEventListener('click', (e) => { e.preventDefault(); download('/api/stats/export/managers', state.query, 'managers.csv'); });
    start();
  });
})();
