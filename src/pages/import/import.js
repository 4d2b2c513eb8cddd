/* Client-base import screen: vanilla JS, no build, no CDN. Uploads the chosen file to
   POST /api/import/clients, polls GET /api/import/jobs/:id, shows progress and the report.
   Every value from the server or the file is put in the page with textContent, never as HTML.
   Texts: import.texts.js; login and language: src/pages/common. */
(function () {
  'use strict';

  const i18n = window.switchboard.i18n;
  const t = i18n.t;
  const JOB_KEY = 'switchboard.import.job';
  const POLL_MS = 1000;
  const COUNTS = ['rows', 'imported', 'companiesCreated', 'companiesUpdated', 'contactsCreated', 'contactsUpdated', 'phonesAdded', 'unchanged', 'errorCount'];
  const $ = (id) => document.getElementById(id);
  /** What is on screen, kept to draw it again in the other language. */
  const state = { timer: null, jobId: null, job: null, jobs: null };

  const session = window.switchboard.session.create({
    tokenKey: 'switchboard.token',
    onLogin: () => start(),
    onLogout: () => { stopPolling(); show('login-view'); },
  });

  const { el, clear } = window.switchboard.dom;
  const fmt = i18n.number;
  const STATUSES = ['queued', 'running', 'done', 'failed', 'interrupted'];
  function statusText(status) { return STATUSES.includes(status) ? t('import.status.' + status) : status; }

  /** An API call; a 403 shows the "not for your role" view and rejects with the Error 'forbidden'. */
  async function api(method, path, options) {
    try {
      return await session.json(method, path, options);
    } catch (error) {
      if (error.status === 403) {
        show('denied-view');
        stopPolling();
        throw new Error('forbidden');
      }
      throw error;
    }
  }

  // ---- views ---------------------------------------------------------------------------------
  function show(view) {
    for (const id of ['login-view', 'denied-view', 'import-view']) $(id).hidden = id !== view;
    $('logout').hidden = view === 'login-view';
  }

  async function start() {
    try {
      await loadHistory();
    } catch (error) {
      if (error.message === 'forbidden' || error.status === 401) return;
      $('upload-error').textContent = error.message;
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
    if (!file) { $('upload-error').textContent = t('import.chooseFile'); return; }
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
      if (error.message !== 'forbidden') $('upload-error').textContent = t(error.status === 413 ? 'import.tooLarge' : 'import.refused', { message: error.message });
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
      if (error.message !== 'forbidden' && error.status !== 401) {
        $('job-message').textContent = error.message;
        state.timer = setTimeout(() => poll(id), POLL_MS * 3);
      }
    }
  }

  function renderJob(job) {
    state.job = job;
    const report = job.report;
    $('job').hidden = false;
    $('job-file').textContent = [job.fileName, t('import.bytes', { n: fmt(job.bytes) }), job.encoding, job.delimiter ? t('import.delimiter', { value: JSON.stringify(job.delimiter) }) : null].filter(Boolean).join(' · ');
    const status = $('job-status');
    status.textContent = statusText(job.status);
    status.className = 'status ' + job.status;
    $('job-message').textContent = job.message || '';
    const total = job.rowsTotal;
    const progress = $('job-progress');
    if (job.status === 'done') { progress.max = 1; progress.value = 1; }
    else if (total) { progress.max = total; progress.value = Math.min(report.rows, total); }
    else progress.removeAttribute('value');
    $('job-progress-text').textContent = t('import.progress', { rows: fmt(report.rows), total: total === null ? '…' : fmt(total), errors: fmt(report.errorCount) });

    const counts = $('job-counts');
    clear(counts);
    for (const key of COUNTS) {
      const tr = el('tr');
      tr.appendChild(el('td', t('import.count.' + key)));
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
    more.textContent = t('import.firstListed', { n: fmt(errors.length) });
    document.body.dataset.jobStatus = job.status;
  }

  async function loadHistory() {
    renderHistory(await api('GET', '/api/import/jobs'));
  }

  function renderHistory(jobs) {
    state.jobs = jobs;
    const body = $('history').tBodies[0];
    clear(body);
    for (const job of jobs) {
      const tr = el('tr');
      tr.appendChild(el('td', i18n.dateTime(job.createdAt)));
      tr.appendChild(el('td', job.fileName || '—'));
      tr.appendChild(el('td', statusText(job.status), 'status ' + job.status));
      for (const key of ['rows', 'companiesCreated', 'companiesUpdated', 'errorCount']) tr.appendChild(el('td', fmt(job.report[key])));
      tr.addEventListener('click', () => { sessionStorage.setItem(JOB_KEY, job.id); poll(job.id); });
      body.appendChild(tr);
    }
  }

  i18n.onChange(() => {
    if (state.job) renderJob(state.job);
    if (state.jobs) renderHistory(state.jobs);
  });
  $('upload-form').addEventListener('submit', upload);
  $('refresh').addEventListener('click', () => { loadHistory().catch(() => undefined); });

  if (session.loggedIn()) start();
  else show('login-view');
})();
