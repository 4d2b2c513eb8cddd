/* The admin screen: people (extensions, devices from what the PBX reports, DND, active), lines with
 * their names and chains, escalation chains with per-step timeouts, working hours and holidays,
 * "test this route" and the last route decisions, AMI and database status. Plain browser JS, no
 * build, no CDN; every form goes through the REST API, whose field errors are shown next to the
 * field. Admins edit; the head of sales, CEO and owner see the status, the test box and the
 * decisions. Text from the server or the PBX goes in as text only. */
(function () {
  'use strict';

  var i18n = window.switchboard.i18n;
  var t = i18n.t;
  var h = window.switchboard.dom.h;
  var clear = window.switchboard.dom.clear;
  var $ = function (id) { return document.getElementById(id); };
  var ROLES = ['manager', 'head_of_sales', 'ceo', 'owner', 'admin', 'qa'];
  var SUPERVISORS = ['head_of_sales', 'ceo', 'owner', 'admin'];
  var STEP_KINDS = ['responsible', 'department', 'role', 'users'];
  var FINALS = ['voicemail', 'after_hours', 'hangup'];
  /** config: the routing being edited (lines as rows); users: GET /api/users; devices: the PBX's. */
  var state = { me: null, users: [], departments: [], devices: [], config: null, lines: [], test: null, decisions: null, notice: null };

  var session = window.switchboard.session.create({
    tokenKey: 'switchboard.admin.token',
    onLogin: start,
    onLogout: function () {
      state.me = null;
      $('admin-view').hidden = true;
      $('login-view').hidden = false;
      $('who').textContent = '';
    },
  });
  function api(method, path, body) { return session.json(method, path, { json: body }); }
  function isAdmin() { return state.me && state.me.role === 'admin'; }

  function notice(key, values) {
    state.notice = key ? { key: key, values: values } : null;
    $('notice').textContent = key ? t(key, values) : '';
  }

  function start() {
    api('GET', '/api/auth/me').then(function (me) {
      if (SUPERVISORS.indexOf(me.role) < 0) return session.logout('adm.forbidden');
      state.me = me;
      $('who').textContent = me.name;
      $('login-view').hidden = true;
      $('admin-view').hidden = false;
      $('logout').hidden = false;
      document.querySelectorAll('[data-admin-only]').forEach(function (node) { node.hidden = !isAdmin(); });
      loadStatus();
      loadPeople();
      loadRouting();
      loadDecisions();
    }).catch(function (error) { notice('adm.notLoaded', { message: error.message }); });
  }

  // ------------------------------------------------------------------------------------ status
  function loadStatus() {
    fetch('/health').then(function (response) { return response.json(); }).then(function (health) {
      state.health = health;
      renderStatus();
    }).catch(function (error) { state.health = { error: error.message }; renderStatus(); });
  }
  function renderStatus() {
    var root = $('status');
    clear(root);
    var health = state.health;
    if (!health) return;
    var item = function (key, value, good) {
      root.appendChild(h('div', { 'data-status': key }, h('dt', null, t('adm.status.' + key)), h('dd', { class: good ? 'ok' : 'bad' }, value)));
    };
    if (health.error) return item('database', t('adm.notLoaded', { message: health.error }), false);
    item('database', t('adm.db.' + health.database), health.database === 'up');
    var ami = health.ami || {};
    item('ami', t('adm.ami.' + (ami.state || 'disabled')), ami.state === 'connected');
    item('leader', ami.leader ? t('adm.yes') : t('adm.no'), ami.leader !== false);
  }

  // ------------------------------------------------------------------------------------ people
  function roleName(role) { return ROLES.indexOf(role) >= 0 ? t('adm.role.' + role) : role; }
  function splitList(text) { return text.split(',').map(function (x) { return x.trim(); }).filter(Boolean); }

  function loadPeople() {
    api('GET', '/api/departments').then(function (departments) { state.departments = departments; renderDepartments(); renderPeople(); })
      .catch(function (error) { notice('adm.notLoaded', { message: error.message }); });
    api('GET', '/api/users').then(function (users) { state.users = users; renderPeople(); renderDecisions(); renderTest(); })
      .catch(function (error) { notice('adm.notLoaded', { message: error.message }); });
    if (isAdmin()) {
      api('GET', '/api/routing/devices').then(function (devices) { state.devices = devices; renderDevices(); })
        .catch(function () { state.devices = []; renderDevices(); });
    }
  }

  function renderDevices() {
    var list = $('pbx-devices');
    clear(list);
    state.devices.forEach(function (d) { list.appendChild(h('option', { value: d.device }, d.device + ' · ' + d.state)); });
    $('devices-hint').textContent = t('adm.devices.hint', { n: state.devices.length });
  }

  function renderPeople() {
    var table = $('people');
    clear(table);
    table.appendChild(h('tr', null, ['name', 'role', 'department', 'extensions', 'devices', 'dnd', 'active'].map(function (key) { return h('th', null, t('adm.col.' + key)); })));
    state.users.forEach(function (user) {
      var toggle = function (field) {
        return h('input', { type: 'checkbox', checked: user[field] ? 'checked' : null, 'aria-label': t('adm.col.' + field) + ': ' + user.name, onchange: function (event) {
          var body = {};
          body[field] = event.target.checked;
          api('PATCH', '/api/users/' + encodeURIComponent(user.id), body)
            .then(function (saved) { Object.assign(user, saved); notice('adm.saved.person', { name: user.name }); renderPeople(); })
            .catch(function (error) { event.target.checked = !event.target.checked; notice('adm.notSaved', { message: error.message }); });
        } });
      };
      table.appendChild(h('tr', { 'data-user': user.id },
        h('td', null, user.name, h('div', { class: 'muted' }, user.email)),
        h('td', null, roleName(user.role)),
        h('td', null, departmentName(user.departmentId)),
        h('td', null, (user.extensions || []).join(', ')),
        h('td', null, (user.devices || []).join(', ')),
        h('td', null, toggle('dnd')),
        h('td', null, toggle('active'))));
    });
  }

  function departmentName(id) {
    var department = state.departments.filter(function (d) { return d.id === id; })[0];
    return department ? department.name : '';
  }

  /** The departments, each renamed in place; and the person form's choice of them. */
  function renderDepartments() {
    var list = $('departments');
    clear(list);
    state.departments.forEach(function (department) {
      var input = h('input', { value: department.name, maxlength: '100', 'aria-label': t('adm.department.rename', { name: department.name }), 'data-department': department.id });
      list.appendChild(h('li', null, h('form', { class: 'row', onsubmit: function (event) {
        event.preventDefault();
        api('PATCH', '/api/departments/' + encodeURIComponent(department.id), { name: input.value })
          .then(function () { notice('adm.saved.department', { name: input.value.trim() }); loadPeople(); })
          .catch(function (error) { $('department-error').textContent = t('adm.notSaved', { message: error.message }); });
      } }, input, h('button', { type: 'submit', class: 'small' }, t('adm.department.save')))));
    });
    var select = $('person-department');
    var chosen = select.value;
    clear(select);
    select.appendChild(h('option', { value: '' }, t('adm.department.none')));
    state.departments.forEach(function (d) { select.appendChild(h('option', { value: d.id, selected: d.id === chosen ? 'selected' : null }, d.name)); });
  }

  $('department-form').addEventListener('submit', function (event) {
    event.preventDefault();
    $('department-error').textContent = '';
    api('POST', '/api/departments', { name: $('department-name').value })
      .then(function (department) { showFieldErrors($('department-form'), []); $('department-name').value = ''; notice('adm.saved.department', { name: department.name }); loadPeople(); })
      .catch(function (error) {
        showFieldErrors($('department-form'), error.fields.length ? error.fields : [{ field: 'name', errors: [error.message] }]);
        $('department-error').textContent = t('adm.notSaved', { message: error.message });
      });
  });

  (function wireRoles() {
    var select = $('person-role');
    ROLES.forEach(function (role) { select.appendChild(h('option', { value: role }, role)); });
  })();
  function renderRoleOptions() {
    Array.prototype.forEach.call($('person-role').options, function (option) { option.textContent = roleName(option.value); });
  }

  /** Puts the API's field errors next to the inputs named by data-field. */
  function showFieldErrors(form, fields) {
    form.querySelectorAll('.field-error').forEach(function (node) { node.remove(); });
    form.querySelectorAll('[aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
    (fields || []).forEach(function (entry) {
      var input = form.querySelector('[data-field="' + String(entry.field).split('.')[0] + '"]');
      if (!input) return;
      var id = input.id + '-error';
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', id);
      input.insertAdjacentElement('afterend', h('span', { class: 'field-error', id: id }, (entry.errors || []).join('; ')));
    });
  }

  $('person-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var form = $('person-form');
    var body = {
      name: $('person-name').value.trim(),
      email: $('person-email').value.trim(),
      password: $('person-password').value,
      role: $('person-role').value,
      extensions: splitList($('person-extensions').value),
      devices: splitList($('person-devices').value),
    };
    if ($('person-department').value) body.departmentId = $('person-department').value;
    $('person-error').textContent = '';
    api('POST', '/api/users', body)
      .then(function (user) {
        showFieldErrors(form, []);
        form.reset();
        notice('adm.saved.person', { name: user.name });
        loadPeople();
      })
      .catch(function (error) {
        var fields = error.fields.length ? error.fields : error.field ? [{ field: error.field, errors: [error.message] }] : [];
        showFieldErrors(form, fields);
        $('person-error').textContent = t('adm.notSaved', { message: error.message });
      });
  });

  // ----------------------------------------------------------------------------------- routing
  function loadRouting() {
    if (!isAdmin()) {
      api('GET', '/api/routing/lines').then(function (names) {
        state.lines = Object.keys(names).map(function (did) { return { did: did, name: names[did] }; });
        renderLineList();
      }).catch(function () { /* the test box works without the list */ });
      return;
    }
    api('GET', '/api/routing/chains').then(function (data) {
      var config = JSON.parse(JSON.stringify(data.config));
      state.lines = Object.keys(config.lines || {}).map(function (did) {
        var rule = config.lines[did];
        return { did: did, name: rule.name || '', chain: rule.chain || '', afterHoursChain: rule.afterHoursChain || '', workingHours: rule.workingHours };
      });
      state.config = config;
      renderRouting();
    }).catch(function (error) { $('routing-error').textContent = t('adm.notLoaded', { message: error.message }); });
  }

  function chainSelect(value, path, label, allowNone) {
    var select = h('select', { 'data-path': path, 'aria-label': label });
    if (allowNone) select.appendChild(h('option', { value: '' }, t('adm.chain.none')));
    Object.keys(state.config.chains).forEach(function (name) {
      select.appendChild(h('option', { value: name, selected: name === value ? 'selected' : null }, name));
    });
    return select;
  }

  function renderRouting() {
    var config = state.config;
    // Lines
    var lines = $('lines');
    clear(lines);
    lines.appendChild(h('tr', null, ['did', 'lineName', 'chain', 'afterHours', ''].map(function (key) { return h('th', null, key ? t('adm.col.' + key) : ''); })));
    state.lines.forEach(function (line, index) {
      var path = 'lines.' + (line.did || index);
      var did = h('input', { value: line.did, 'data-path': path, 'aria-label': t('adm.col.did'), inputmode: 'numeric', oninput: function (e) { line.did = e.target.value.trim(); } });
      var name = h('input', { value: line.name, 'data-path': path + '.name', 'aria-label': t('adm.col.lineName'), maxlength: '80', oninput: function (e) { line.name = e.target.value; } });
      var chain = chainSelect(line.chain, path + '.chain', t('adm.col.chain'), true);
      chain.addEventListener('change', function (e) { line.chain = e.target.value; });
      var after = chainSelect(line.afterHoursChain, path + '.afterHoursChain', t('adm.col.afterHours'), true);
      after.addEventListener('change', function (e) { line.afterHoursChain = e.target.value; });
      lines.appendChild(h('tr', { 'data-line': index }, h('td', null, did), h('td', null, name), h('td', null, chain), h('td', null, after),
        h('td', null, h('button', { type: 'button', class: 'small', onclick: function () { state.lines.splice(index, 1); renderRouting(); } }, t('adm.remove')))));
    });
    // Chains
    var chains = $('chains');
    clear(chains);
    Object.keys(config.chains).forEach(function (chainName) {
      var chain = config.chains[chainName];
      var box = h('div', { class: 'chain', 'data-chain': chainName, 'data-path': 'chains.' + chainName }, h('h4', null, t('adm.chain.title', { name: chainName })));
      var table = h('table', null, h('tr', null, ['stepName', 'kind', 'timeout', 'roles', 'extensions', ''].map(function (key) { return h('th', null, key ? t('adm.col.' + key) : ''); })));
      chain.steps.forEach(function (step, i) {
        var path = 'chains.' + chainName + '.steps[' + i + ']';
        var kind = h('select', { 'data-path': path + '.kind', 'aria-label': t('adm.col.kind'), onchange: function (e) { step.kind = e.target.value; } },
          STEP_KINDS.map(function (k) { return h('option', { value: k, selected: k === step.kind ? 'selected' : null }, t('adm.kind.' + k)); }));
        table.appendChild(h('tr', { 'data-step': i },
          h('td', null, h('input', { value: step.name, 'data-path': path + '.name', 'aria-label': t('adm.col.stepName'), oninput: function (e) { step.name = e.target.value.trim(); } })),
          h('td', null, kind),
          h('td', null, h('input', { type: 'number', min: '1', max: '600', value: step.timeout, 'data-path': path + '.timeout', 'aria-label': t('adm.col.timeout'), oninput: function (e) { step.timeout = Number(e.target.value); } })),
          h('td', null, h('input', { value: (step.roles || []).join(', '), 'data-path': path + '.roles', 'aria-label': t('adm.col.roles'), oninput: function (e) { var v = splitList(e.target.value); if (v.length) step.roles = v; else delete step.roles; } })),
          h('td', null, h('input', { value: (step.extensions || []).join(', '), 'data-path': path + '.extensions', 'aria-label': t('adm.col.extensions'), oninput: function (e) { var v = splitList(e.target.value); if (v.length) step.extensions = v; else delete step.extensions; } })),
          h('td', null, h('button', { type: 'button', class: 'small', onclick: function () { chain.steps.splice(i, 1); renderRouting(); } }, t('adm.remove')))));
      });
      box.appendChild(table);
      var final = h('select', { 'data-path': 'chains.' + chainName + '.final', 'aria-label': t('adm.chain.final'), onchange: function (e) { chain.final = e.target.value; } },
        FINALS.map(function (f) { return h('option', { value: f, selected: f === chain.final ? 'selected' : null }, t('adm.final.' + f)); }));
      box.appendChild(h('div', { class: 'row' },
        h('button', { type: 'button', 'data-add-step': chainName, onclick: function () { chain.steps.push({ name: 'step' + (chain.steps.length + 1), kind: 'users', timeout: 10 }); renderRouting(); } }, t('adm.step.add')),
        h('label', null, t('adm.chain.final'), final)));
      chains.appendChild(box);
    });
    // Default and after-hours chains
    [['default-chain', 'defaultChain'], ['after-hours-chain', 'afterHoursChain']].forEach(function (pair) {
      var select = $(pair[0]);
      clear(select);
      Object.keys(config.chains).forEach(function (name) { select.appendChild(h('option', { value: name, selected: name === config[pair[1]] ? 'selected' : null }, name)); });
      select.onchange = function () { config[pair[1]] = select.value; };
    });
    // Working hours
    $('always-open').checked = config.workingHours === null;
    var hours = $('hours');
    clear(hours);
    if (config.workingHours) {
      var wh = config.workingHours;
      hours.appendChild(h('label', null, t('adm.hours.timezone'), h('input', { value: wh.timezone || '', 'data-path': 'workingHours.timezone', placeholder: 'Europe/Moscow', oninput: function (e) { if (e.target.value.trim()) wh.timezone = e.target.value.trim(); else delete wh.timezone; } })));
      wh.week.forEach(function (window, i) {
        var path = 'workingHours.week[' + i + ']';
        hours.appendChild(h('div', { class: 'row', 'data-window': i, 'data-path': path },
          h('div', { class: 'days', role: 'group', 'aria-label': t('adm.hours.days'), 'data-path': path + '.days' }, [1, 2, 3, 4, 5, 6, 7].map(function (d) {
            return h('label', null, h('input', { type: 'checkbox', checked: window.days.indexOf(d) >= 0 ? 'checked' : null, onchange: function (e) {
              window.days = window.days.filter(function (x) { return x !== d; });
              if (e.target.checked) window.days.push(d);
              window.days.sort();
            } }), t('adm.day.' + d));
          })),
          h('label', null, t('adm.hours.from'), h('input', { type: 'time', value: window.from, 'data-path': path + '.from', oninput: function (e) { window.from = e.target.value; } })),
          h('label', null, t('adm.hours.to'), h('input', { type: 'time', value: window.to, 'data-path': path + '.to', oninput: function (e) { window.to = e.target.value; } })),
          h('button', { type: 'button', class: 'small', onclick: function () { wh.week.splice(i, 1); renderRouting(); } }, t('adm.remove'))));
      });
      hours.appendChild(h('button', { type: 'button', onclick: function () { wh.week.push({ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }); renderRouting(); } }, t('adm.hours.addWindow')));
      hours.appendChild(h('label', null, t('adm.hours.holidays'), h('textarea', { 'data-path': 'workingHours.holidays', rows: '3', placeholder: '2027-01-01', oninput: function (e) {
        var days = e.target.value.split(/[\s,]+/).filter(Boolean);
        if (days.length) wh.holidays = days; else delete wh.holidays;
      } }, (wh.holidays || []).join('\n'))));
    }
    renderLineList();
  }

  $('always-open').addEventListener('change', function (event) {
    state.config.workingHours = event.target.checked ? null : { week: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }] };
    renderRouting();
  });
  $('add-line').addEventListener('click', function () { state.lines.push({ did: '', name: '', chain: '', afterHoursChain: '' }); renderRouting(); });
  $('add-chain').addEventListener('click', function () {
    var name = $('new-chain').value.trim();
    if (!name || state.config.chains[name]) return;
    state.config.chains[name] = { steps: [{ name: 'step1', kind: 'users', timeout: 10 }], final: 'voicemail' };
    $('new-chain').value = '';
    renderRouting();
  });

  /** The routing as the API takes it: lines keyed by DID. */
  function routingBody() {
    var config = JSON.parse(JSON.stringify(state.config));
    config.lines = {};
    state.lines.forEach(function (line) {
      var rule = {};
      if (line.name.trim()) rule.name = line.name.trim();
      if (line.chain) rule.chain = line.chain;
      if (line.afterHoursChain) rule.afterHoursChain = line.afterHoursChain;
      if (line.workingHours !== undefined) rule.workingHours = line.workingHours;
      config.lines[line.did] = rule;
    });
    return config;
  }

  /** A problem "lines.7495….name: must be …" next to the control whose data-path is the longest prefix of its path. */
  function showProblems(problems) {
    var form = $('routing-form');
    form.querySelectorAll('.field-error').forEach(function (node) { node.remove(); });
    form.querySelectorAll('[aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
    problems.forEach(function (problem, n) {
      var cut = problem.indexOf(': ');
      var path = cut > 0 ? problem.slice(0, cut) : '';
      var message = cut > 0 ? problem.slice(cut + 2) : problem;
      var target = null;
      var p = path;
      while (p && !target) {
        target = form.querySelector('[data-path="' + CSS.escape(p) + '"]');
        var shorter = p.replace(/(\.[^.[\]]+|\[\d+\])$/, ''); // lines.7495.name → lines.7495 → lines
        p = shorter === p ? '' : shorter;
      }
      var id = 'routing-problem-' + n;
      var note = h('span', { class: 'field-error', id: id, 'data-problem': path }, message);
      if (target) {
        target.setAttribute('aria-invalid', 'true');
        target.setAttribute('aria-describedby', id);
        target.insertAdjacentElement(target.tagName === 'DIV' ? 'beforeend' : 'afterend', note);
      } else $('routing-error').insertAdjacentElement('afterend', note);
    });
  }

  $('routing-form').addEventListener('submit', function (event) {
    event.preventDefault();
    $('routing-error').textContent = '';
    api('PUT', '/api/routing/chains', routingBody())
      .then(function () { showProblems([]); notice('adm.saved.routing'); loadRouting(); })
      .catch(function (error) {
        showProblems(error.problems);
        $('routing-error').textContent = t('adm.notSaved', { message: error.problems.length ? t('adm.problems', { n: error.problems.length }) : error.message });
      });
  });

  function lineName(did) {
    var line = state.lines.filter(function (l) { return l.did === did && l.name; })[0];
    return line ? line.name + ' (' + did + ')' : did;
  }
  function renderLineList() {
    var list = $('line-list');
    clear(list);
    state.lines.forEach(function (line) { if (line.did) list.appendChild(h('option', { value: line.did }, line.name || line.did)); });
  }

  // ---------------------------------------------------------------------------- test this route
  function personName(userId, extension) {
    var user = state.users.filter(function (u) { return u.id === userId; })[0];
    return user ? user.name + (extension ? ' (' + extension + ')' : '') : extension || '?';
  }
  function skipText(s) { return personName(s.userId, s.extension) + ' — ' + t('adm.skip.' + s.reason) + ' (' + s.step + ')'; }

  $('test-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var query = 'caller=' + encodeURIComponent($('test-caller').value.trim()) + '&did=' + encodeURIComponent($('test-did').value.trim());
    var at = $('test-at').value;
    if (at) query += '&at=' + encodeURIComponent(new Date(at).toISOString());
    $('test-error').textContent = '';
    api('GET', '/api/routing/test?' + query)
      .then(function (plan) { state.test = plan; showFieldErrors($('test-form'), []); renderTest(); })
      .catch(function (error) {
        state.test = null;
        renderTest();
        showFieldErrors($('test-form'), error.fields);
        $('test-error').textContent = t('adm.notLoaded', { message: error.message });
      });
  });

  function renderTest() {
    var root = $('test-result');
    clear(root);
    var plan = state.test;
    if (!plan) return;
    root.appendChild(h('p', { 'data-field': 'plan-summary' },
      t('adm.test.chain', { chain: plan.chain }), plan.afterHours ? ' · ' + t('adm.test.afterHours') : '',
      ' · ', plan.known ? t('adm.test.known', { name: plan.displayName }) : t('adm.test.new')));
    var steps = h('ol', { class: 'plan', 'data-field': 'plan-steps' });
    plan.steps.forEach(function (step) {
      steps.appendChild(h('li', null, h('strong', null, step.name), ' · ', t('adm.test.seconds', { n: step.timeout }), ' · ',
        step.userIds.map(function (id, i) { return personName(id, step.extensions[i]); }).join(', ')));
    });
    steps.appendChild(h('li', null, t('adm.test.final', { action: t('adm.final.' + plan.final) })));
    root.appendChild(steps);
    if (plan.skipped.length) {
      root.appendChild(h('p', null, h('strong', null, t('adm.test.skipped'))));
      root.appendChild(h('ul', { 'data-field': 'plan-skipped' }, plan.skipped.map(function (s) { return h('li', null, skipText(s)); })));
    }
  }

  // --------------------------------------------------------------------------------- decisions
  function loadDecisions() {
    api('GET', '/api/routing/decisions/recent?limit=20')
      .then(function (rows) { state.decisions = rows; renderDecisions(); })
      .catch(function (error) { state.decisions = { error: error.message }; renderDecisions(); });
  }
  $('decisions-refresh').addEventListener('click', loadDecisions);

  function renderDecisions() {
    var table = $('decisions');
    clear(table);
    var rows = state.decisions;
    if (!rows) return;
    table.appendChild(h('tr', null, ['when', 'caller', 'line', 'chain', 'rang', 'skipped'].map(function (key) { return h('th', null, t('adm.col.' + key)); })));
    if (rows.error) return table.appendChild(h('tr', null, h('td', { colspan: '6' }, t('adm.notLoaded', { message: rows.error }))));
    if (!rows.length) table.appendChild(h('tr', null, h('td', { colspan: '6', class: 'muted' }, t('adm.decisions.none'))));
    rows.forEach(function (row) {
      table.appendChild(h('tr', { 'data-decision': row.uniqueid || row.id },
        h('td', null, i18n.dateTime(row.decidedAt)),
        h('td', null, row.caller === 'anonymous' ? t('adm.anonymous') : i18n.phone(row.caller)),
        h('td', null, lineName(row.did)),
        h('td', null, row.chain),
        h('td', null, (row.steps || []).map(function (step) { return step.name + ': ' + (step.userIds || []).map(function (id, i) { return personName(id, (step.extensions || [])[i]); }).join(', '); }).join(' → ')),
        h('td', null, (row.skipped || []).map(skipText).join('; '))));
    });
  }

  i18n.onChange(function () {
    renderRoleOptions();
    renderStatus();
    renderPeople();
    renderDepartments();
    if (state.config) renderRouting();
    renderTest();
    renderDecisions();
    if (state.notice) notice(state.notice.key, state.notice.values);
    if (state.devices) renderDevices();
  });
  renderRoleOptions();

  if (session.loggedIn()) start(); else session.logout(null);
})();
