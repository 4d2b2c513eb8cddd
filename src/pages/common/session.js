/* Logging in and out, the session token and authorized requests, shared by the pages: plain
 * browser JS, no build, no CDN (after i18n.js). The page's login form has the ids login-form,
 * login-email, login-password and login-error, its log-out button the id logout. The token is
 * kept in sessionStorage (this tab only) under the page's key. */
(function () {
  'use strict';

  var i18n = window.switchboard.i18n;
  var $ = function (id) { return document.getElementById(id); };

  /**
   * options: tokenKey; onLogin(body) after the token is stored; onLogout() to show the login view;
   * beforeLogin() when the form is sent (optional). Returns { token, loggedIn, logout, request, json }.
   */
  function create(options) {
    var error = null; // { key, values } shown under the form, in the current language

    function token() { return sessionStorage.getItem(options.tokenKey); }

    function showError(key, values) {
      error = key ? { key: key, values: values } : null;
      $('login-error').textContent = error ? i18n.t(error.key, error.values) : '';
    }

    /** Forgets the token and shows the login form, with a message (an i18n key) when there is one. */
    function logout(messageKey) {
      sessionStorage.removeItem(options.tokenKey);
      options.onLogout();
      $('logout').hidden = true;
      showError(messageKey || null);
    }

    /** fetch with the bearer token; a 401 logs out; any other failure throws an Error with .status and the server's message. */
    function request(method, path, init) {
      var settings = init || {};
      var headers = Object.assign({}, settings.headers || {});
      var body = settings.body;
      if (token()) headers.Authorization = 'Bearer ' + token();
      if (settings.json !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(settings.json);
      }
      return fetch(path, { method: method, headers: headers, body: body }).then(function (response) {
        if (response.ok) return response;
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          if (response.status === 401) logout('login.again');
          var failure = new Error((data && data.message) || response.status + ' ' + response.statusText);
          failure.status = response.status;
          failure.field = (data && typeof data.field === 'string' && data.field) || null;
          // Field errors of a validated body ([{ field, errors }]) and a configuration's problems ("path: message").
          failure.fields = (data && Array.isArray(data.fields) && data.fields) || [];
          failure.problems = (data && Array.isArray(data.problems) && data.problems) || [];
          throw failure;
        });
      });
    }

    /** request(), then the JSON body (null when there is none). */
    function json(method, path, init) {
      return request(method, path, init).then(function (response) {
        return response.text().then(function (text) { return text ? JSON.parse(text) : null; });
      });
    }

    function login(event) {
      event.preventDefault();
      showError(null);
      if (options.beforeLogin) options.beforeLogin();
      fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: $('login-email').value, password: $('login-password').value }),
      })
        .then(function (response) {
          if (response.status === 401) return showError('login.wrong');
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (!response.ok) return showError('login.failed', { message: body.message || response.status + ' ' + response.statusText });
            sessionStorage.setItem(options.tokenKey, body.accessToken);
            $('logout').hidden = false;
            options.onLogin(body);
          });
        })
        .catch(function (failure) { showError('login.failed', { message: failure.message }); });
    }

    $('login-form').addEventListener('submit', login);
    $('logout').addEventListener('click', function () { logout(null); });
    i18n.onChange(function () { if (error) showError(error.key, error.values); });

    return {
      token: token,
      loggedIn: function () { return Boolean(token()); },
      logout: logout,
      request: request,
      json: json,
    };
  }

  window.switchboard.session = { create: create };
})();
