/* Client-base import screen: vanilla JS, no build, no CDN. Uploads the chosen file to
   POST /api/import/clients, polls GET /api/import/jobs/:id, shows progress and the report.
   Every value from the server or the file is put in the page with textContent, never as HTML. */
(function () {
  'use strict';

  const TOKEN_KEY = 'switchboard.token';
  const JOB_KEY = 'switchboard.import.job';
  const POLL_MS = 1000;
  const STATUS = {
    queued: 'В очереди / Queued',
    running: 'Идёт импорт / Running',
    done: 'Готово / Done',
    failed: 'Ошибка / Failed',
    interrupted: 'Прервано / Interrupted',
  };
  const COUNTS = [
    ['rows', 'Строк прочитано / Rows read'],
    ['imported', 'Импортировано / Imported'],
    ['companiesCreated', 'Компаний создано / Companies created'],
    ['companiesUpdated', 'Компаний обновлено / Companies updated'],
    ['contactsCreated', 'Контактов создано / Contacts created'],
    ['contactsUpdated', 'Контактов обновлено / Contacts updated'],
    ['phonesAdded', 'Телефонов добавлено / Phones added'],
    ['unchanged', 'Без изменений / Unchanged'],
    ['errorCount', 'Строк с ошибками / Rows with errors'],
  ];
  const $ = (id) => document.getElementById(id);
  const state = { timer: null, jobId: null };
  const number = new Intl.NumberFormat('ru-RU');

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function fmt(n) { return n === null || n === undefined ? '—' : number.format(n); }
  function fmtTime(iso) { return iso ? new Date(iso).toLocaleString() : '—'; }

  async function api(method, path, options) {
    const headers = Object.assign({ Authorization: 'Bearer ' + sessionStorage.getItem(TOKEN_KEY) }, (options && options.headers) || {});
    const response = await fetch(path, { method: method, headers: headers, body: options && options.body });
    const body = await response.json().catch(() => ({}));
    if (response.status === 401) { logout(); throw new Error('Войдите снова / Please log in again'); }
    if (response.status === 403) {
      showDenied('Импорт доступен администратору и руководителю отдела продаж. / Import is for admins and heads of sales only.');
      throw new Error('forbidden');
    }
    if (!response.ok) {
      const error = new Error(body.message || ('HTTP ' + response.status));
      error.status = response.status;
      throw error;
    }
    return body;
  }

  // ---- views ---------------------------------------------------------------------------------
  function show(view) {
    for (const id of ['login-view', 'denied-view', 'import-view']) $(id).hidden = id !== view;
    $('logout').hidden = view === 'login-view';
  }
  function showDenied(text) {
    $('denied-text').textContent = text;
    show('denied-view');
    stopPolling();
  }
  function logout() {
    sessionStorage.removeItem(TOKEN_KEY);
    stopPolling();
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
    if (!response.ok) { $('login-error').textContent = 'Неверный email или пароль / Wrong email or password'; return; }
    const body = await response.json();
    sessionStorage.setItem(TOKEN_KEY, body.accessToken);
    start();
  }

  async function start() {
    try {
      await loadHistory();
    } catch (error) {
      if (error.message !== 'forbidden') $('upload-error').textContent = error.message;
      if (error.message === 'forbidden') return;
    }
    show('import-view');
    const last = sessionStorage.getItem(JOB_KEY);
    if (last) poll(last);
  }

  // ---- upload and job ------------------------------------------------------------------------
  async function upload(event) {
    event.preventDefault();
    $('upload-error').textContent = '';
    const file = $('file').files[0];
    if (!file) { $('upload-error').textContent = 'Выберите файл / Choose a file'; return; }
    $('upload').disabled = true;
    try {
      const job = await api('POST', '/api/import/clients', {
        headers: { 'Content-Type': 'text/csv', 'X-File-Name': encodeURIComponent(file.name) },
        body: file,
      });
      sessionStorage.setItem(JOB_KEY, job.id);
      renderJob(job);
      poll(job.id);
    } catch (error) {
      if (error.message !== 'forbidden') {
        const prefix = error.status === 413 ? 'Файл слишком большой / File too large: ' : 'Файл не принят / File refused: ';
        $('upload-error').textContent = prefix + error.message;
      }
    } finally {
      $('upload').disabled = false;
    }
  }

  function stopPolling() {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
  }

  async function poll(id) {
    stopPolling();
    state.jobId = id;
    try {
      const job = await api('GET', '/api/import/jobs/' + encodeURIComponent(id));
      if (state.jobId !== id) return;
      renderJob(job);
      if (job.status === 'queued' || job.status === 'running') state.timer = setTimeout(() => poll(id), POLL_MS);
      else loadHistory().catch(() => undefined);
    } catch (error) {
      if (error.status === 404) { sessionStorage.removeItem(JOB_KEY); return; }
      if (error.message !== 'forbidden') {
        $('job-message').textContent = error.message;
        state.timer = setTimeout(() => poll(id), POLL_MS * 3);
      }
    }
  }

  function renderJob(job) {
    const report = job.report;
    $('job').hidden = false;
    $('job-file').textContent = [job.fileName, fmt(job.bytes) + ' B', job.encoding, 'delimiter ' + JSON.stringify(job.delimiter)].filter(Boolean).join(' · ');
    const status = $('job-status');
    status.textContent = STATUS[job.status] || job.status;
    status.className = 'status ' + job.status;
    $('job-message').textContent = job.message || '';
    const total = job.rowsTotal;
    const progress = $('job-progress');
    if (job.status === 'done') { progress.max = 1; progress.value = 1; }
    else if (total) { progress.max = total; progress.value = Math.min(report.rows, total); }
    else progress.removeAttribute('value');
    $('job-progress-text').textContent = 'Строк ' + fmt(report.rows) + ' из ' + (total === null ? '…' : fmt(total)) + ' · ошибок ' + fmt(report.errorCount) +
      ' / Rows ' + fmt(report.rows) + ' of ' + (total === null ? '…' : fmt(total)) + ' · errors ' + fmt(report.errorCount);

    const counts = $('job-counts');
    clear(counts);
    for (const [key, label] of COUNTS) {
      const tr = el('tr');
      tr.appendChild(el('td', label));
      const value = el('td', fmt(report[key]));
      value.dataset.count = key;
      tr.appendChild(value);
      counts.appendChild(tr);
    }

    const errors = report.errors || [];
    $('job-errors-block').hidden = report.errorCount === 0;
    $('job-error-count').textContent = fmt(report.errorCount);
    const body = $('job-errors').tBodies[0];
    clear(body);
    for (const problem of errors) {
      const tr = el('tr');
      tr.appendChild(el('td', problem.line));
      tr.appendChild(el('td', problem.message));
      body.appendChild(tr);
    }
    const more = $('job-errors-more');
    more.hidden = report.errorCount <= errors.length;
    more.textContent = 'Показаны первые ' + fmt(errors.length) + ' / The first ' + fmt(errors.length) + ' are listed';
    document.body.dataset.jobStatus = job.status;
  }

  async function loadHistory() {
    const jobs = await api('GET', '/api/import/jobs');
    const body = $('history').tBodies[0];
    clear(body);
    for (const job of jobs) {
      const tr = el('tr');
      tr.appendChild(el('td', fmtTime(job.createdAt)));
      tr.appendChild(el('td', job.fileName || '—'));
      tr.appendChild(el('td', STATUS[job.status] || job.status, 'status ' + job.status));
      for (const key of ['rows', 'companiesCreated', 'companiesUpdated', 'errorCount']) tr.appendChild(el('td', fmt(job.report[key])));
      tr.addEventListener('click', () => { sessionStorage.setItem(JOB_KEY, job.id); poll(job.id); });
      body.appendChild(tr);
    }
  }

  $('login-form').addEventListener('submit', (event) => { login(event).catch((error) => { $('login-error').textContent = error.message; }); });
  $('logout').addEventListener('click', logout);
  $('upload-form').addEventListener('submit', upload);
  $('refresh').addEventListener('click', () => { loadHistory().catch(() => undefined); });

  if (sessionStorage.getItem(TOKEN_KEY)) start();
  else show('login-view');
})();
