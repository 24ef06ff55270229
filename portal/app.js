/*
 * The portal page: the plans offered on the guest's port, a way to pay for
 * one, and the session's status, over the client API of daemon/portal.h.
 * Vanilla JavaScript with no dependency: a captive guest can fetch nothing
 * but this gateway, and its Content-Security-Policy (default-src 'self')
 * allows no inline script or style. The session's token lives only in its
 * HttpOnly cookie; this page keeps nothing in storage.
 */
'use strict';

(function () {
  // While a decision is awaited (provisional, pending): how often to ask.
  const POLL_WAITING_MS = 2000;
  // While online: how often the countdown is re-synced with the gateway.
  const POLL_ONLINE_MS = 30000;
  // After the gateway did not answer.
  const POLL_RETRY_MS = 5000;

  // ISO 4217 minor units that are not 2 (as daemon/ctl_units.c has them).
  const ZERO_DECIMALS = ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG',
    'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'];
  const THREE_DECIMALS = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];

  // The ways to pay this page offers, in the API's names.
  const METHODS = {
    voucher: { label: 'Voucher', submit: 'Connect', fields: ['voucher'] },
    room: { label: 'Room charge', submit: 'Charge to my room', fields: ['room', 'surname'] },
    remote: { label: 'Card', submit: 'Pay by card', fields: ['account', 'secret'] },
    staff: { label: 'Front desk', submit: 'Ask the front desk', fields: [] },
    free: { label: 'Free', submit: 'Connect for free', fields: [] },
  };
  const MISSING = {
    voucher: 'Enter the code of your voucher.',
    room: 'Enter your room number.',
    surname: 'Enter your surname as on your booking.',
    account: 'Enter your card number or token.',
    secret: 'Enter your PIN.',
  };

  const state = {
    plans: [],
    plan: null, // the chosen plan's name
    method: null,
    view: null,
    pollTimer: 0,
    tickTimer: 0,
    deadline: 0, // performance.now() when the session's time runs out
    busy: false,
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* --- formats */

  function decimals(currency) {
    const c = String(currency || '').toUpperCase();
    if (ZERO_DECIMALS.includes(c)) return 0;
    if (THREE_DECIMALS.includes(c)) return 3;
    return 2;
  }

  // An amount in minor units, as "5.00 EUR", "500 JPY", "1.250 KWD".
  function money(minor, currency) {
    const d = decimals(currency);
    const scale = 10 ** d;
    const n = Math.abs(Math.round(Number(minor) || 0));
    let s = String(Math.floor(n / scale));
    if (d) s += '.' + String(n % scale).padStart(d, '0');
    return (minor < 0 ? '-' : '') + s + (currency ? ' ' + currency : '');
  }

  // Bytes as staff see them in wicketctl: "1 GB", "1.5 GB", "512 MiB".
  function size(bytes) {
    const si = ['KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
    const binary = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
    const isBinary = bytes % 1000 !== 0 && bytes % 1024 === 0;
    const base = isBinary ? 1024 : 1000;
    if (bytes < 1000) return bytes + ' B';
    let d = bytes / base;
    let u = 0;
    while (d >= base - 0.05 && u + 1 < si.length) {
      d /= base;
      u++;
    }
    return d.toFixed(1).replace(/\.0$/, '') + ' ' + (isBinary ? binary[u] : si[u]);
  }

  // A plan's duration: "24 h", "30 min", "7 days", "1 h 30 min".
  function duration(secs) {
    if (secs >= 2 * 86400 && secs % 86400 === 0) return secs / 86400 + ' days';
    if (secs >= 3600 && secs % 3600 === 0) return secs / 3600 + ' h';
    if (secs % 60 === 0 && secs < 3600) return secs / 60 + ' min';
    const parts = [];
    const units = [[86400, ' d'], [3600, ' h'], [60, ' min'], [1, ' s']];
    for (const [unit, name] of units) {
      if (secs >= unit) parts.push(Math.floor(secs / unit) + name);
      secs %= unit;
    }
    return parts.join(' ');
  }

  // Time left on the clock: "23:59:59", "47:00:00", then "3 d 04:05:06".
  function clock(secs) {
    const d = secs >= 2 * 86400 ? Math.floor(secs / 86400) : 0;
    const h = Math.floor((secs - d * 86400) / 3600);
    const m = String(Math.floor((secs % 3600) / 60)).padStart(2, '0');
    const s = String(secs % 60).padStart(2, '0');
    return (d ? d + ' d ' + String(h).padStart(2, '0') : String(h)) + ':' + m + ':' + s;
  }

  function planPrice(p) {
    const parts = [];
    if (p.price > 0 || (!p.per_minute && !p.per_mb))
      parts.push(p.price > 0 ? money(p.price, p.currency) : 'Free');
    const plus = parts.length ? '+' : '';
    if (p.per_minute > 0) parts.push(plus + money(p.per_minute, p.currency) + '/min');
    if (p.per_mb > 0) parts.push(plus + money(p.per_mb, p.currency) + '/MB');
    return parts.join(' ');
  }

  function planLimits(p) {
    const parts = [];
    if (p.duration_s) parts.push(duration(p.duration_s));
    if (p.bytes) parts.push(size(p.bytes));
    if (p.kind === 'until-checkout') parts.push('until you check out');
    return parts.join(' · ');
  }

  /* --- the gateway */

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  // One request to the client API; the answer's JSON, or an ApiError with
  // the gateway's own words ({"error": ...}).
  async function api(method, path, body) {
    const init = {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    };
    if (method === 'POST') {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body || {});
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError('The gateway does not answer: check that you are still on its network, ' +
        'then try again.', 0);
    }
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      const said = data && typeof data.error === 'string' && data.error;
      throw new ApiError(said || 'The gateway answered ' + res.status + ': try again.', res.status);
    }
    if (data === null || typeof data !== 'object')
      throw new ApiError('The gateway sent an answer this page cannot read: try again.', res.status);
    return data;
  }

  /* --- views */

  function show(view) {
    const moved = state.view !== null && state.view !== view;
    for (const id of ['view-plans', 'view-wait', 'view-status']) $(id).hidden = id !== view;
    $('loading').hidden = true;
    $('retry').hidden = true;
    state.view = view;
    // A new view: its heading takes the focus, so that a screen reader
    // starts there (not on the first load: the page starts at its top).
    if (moved) $(view).querySelector('h1').focus();
  }

  function notice(text, kind) {
    const n = $('notice');
    n.textContent = text || '';
    n.className = 'banner' + (kind ? ' ' + kind : '');
    n.hidden = !text;
  }

  function formError(text) {
    const e = $('form-error');
    e.textContent = text || '';
    e.hidden = !text;
  }

  function stopTimers() {
    clearTimeout(state.pollTimer);
    clearInterval(state.tickTimer);
    state.pollTimer = 0;
    state.tickTimer = 0;
  }

  function schedulePoll(ms) {
    clearTimeout(state.pollTimer);
    state.pollTimer = setTimeout(poll, ms);
  }

  // Something failed before any view could be shown: say so, offer a retry.
  function failed(err) {
    stopTimers();
    $('loading').hidden = true;
    notice(err.message, 'error');
    $('retry').hidden = false;
  }

  /* --- plans and the form */

  function renderPlans(plans) {
    const list = $('plans');
    list.replaceChildren();
    state.plans = plans;
    plans.forEach((p, i) => {
      const li = el('li');
      const label = el('label', 'choice');
      const input = el('input');
      input.type = 'radio';
      input.name = 'plan';
      input.id = 'plan-' + i;
      input.value = p.name;
      input.addEventListener('change', () => choosePlan(p.name));
      const body = el('span', 'choice-body');
      const head = el('span', 'plan-head');
      head.append(el('span', 'plan-name', p.name), el('span', 'plan-price', planPrice(p)));
      body.append(head);
      const limits = planLimits(p);
      if (limits) body.append(el('span', 'plan-detail', limits));
      label.append(input, body);
      li.append(label);
      list.append(li);
    });
    $('no-plans').hidden = plans.length > 0;
    // Keep the guest's choice across a refresh; one plan is chosen already.
    const keep = plans.find((p) => p.name === state.plan) || (plans.length === 1 ? plans[0] : null);
    choosePlan(keep ? keep.name : null);
  }

  function choosePlan(name) {
    const plan = state.plans.find((p) => p.name === name) || null;
    state.plan = plan ? plan.name : null;
    for (const input of document.querySelectorAll('input[name="plan"]'))
      input.checked = plan !== null && input.value === plan.name;
    // In this page's order (voucher first), whatever the API's.
    const offered = plan ? plan.methods || [] : [];
    const methods = Object.keys(METHODS).filter((m) => offered.includes(m));
    const box = $('methods');
    box.replaceChildren();
    for (const m of methods) {
      const label = el('label', 'choice');
      const input = el('input');
      input.type = 'radio';
      input.name = 'method';
      input.id = 'method-' + m;
      input.value = m;
      input.addEventListener('change', () => chooseMethod(m));
      label.append(input, el('span', 'choice-body', METHODS[m].label));
      box.append(label);
    }
    $('method-set').hidden = methods.length < 2;
    if (plan && !methods.length)
      formError('This plan cannot be bought on this page: ask the front desk.');
    else
      formError('');
    chooseMethod(methods.includes(state.method) ? state.method : methods[0] || null);
  }

  function chooseMethod(method) {
    state.method = method;
    for (const m of Object.keys(METHODS)) $('fields-' + m).hidden = m !== method;
    for (const input of document.querySelectorAll('input[name="method"]'))
      input.checked = input.value === method;
    const submit = $('pay-submit');
    submit.hidden = !method;
    if (method) submit.textContent = METHODS[method].submit;
  }

  async function showPlans(reason) {
    stopTimers();
    let plans;
    try {
      plans = await api('GET', '/api/v1/plans');
    } catch (e) {
      failed(e);
      return;
    }
    renderPlans(Array.isArray(plans) ? plans : []);
    show('view-plans');
    formError(reason || '');
    if (reason) focusRetry();
  }

  // After a refusal: straight back to the field to correct.
  function focusRetry() {
    const fields = state.method ? METHODS[state.method].fields : [];
    const first = fields.length ? $(fields[0]) : null;
    if (first) {
      first.focus();
      first.select();
    } else {
      $('form-error').focus();
    }
  }

  function setBusy(button, busy, text) {
    state.busy = busy;
    button.disabled = busy;
    button.setAttribute('aria-busy', busy ? 'true' : 'false');
    if (busy) {
      button.dataset.label = button.textContent;
      button.textContent = text;
    } else if (button.dataset.label) {
      button.textContent = button.dataset.label;
    }
  }

  async function submit(ev) {
    ev.preventDefault();
    if (state.busy) return;
    notice('');
    if (!state.plan) {
      formError('Choose a plan first.');
      const first = document.querySelector('input[name="plan"]');
      if (first) first.focus();
      return;
    }
    if (!state.method) return;
    const body = { plan: state.plan, method: state.method };
    for (const f of METHODS[state.method].fields) {
      const value = f === 'secret' ? $(f).value : $(f).value.trim();
      if (!value) {
        formError(MISSING[f]);
        $(f).focus();
        return;
      }
      body[f] = value;
    }
    formError('');
    const button = $('pay-submit');
    setBusy(button, true, 'Connecting…');
    let st;
    try {
      st = await api('POST', '/api/v1/login', body);
    } catch (e) {
      setBusy(button, false);
      formError(e.message);
      focusRetry();
      return;
    } finally {
      $('secret').value = '';
    }
    setBusy(button, false);
    handleStatus(st);
  }

  function clearFields() {
    for (const m of Object.values(METHODS))
      for (const f of m.fields) $(f).value = '';
  }

  /* --- the session */

  function refusal(st) {
    return st.reason || 'Your request was refused: check what you entered, or ask the front desk.';
  }

  // Route the page by the session's state (the status shape of portal.h).
  function handleStatus(st) {
    switch (st.state) {
      case 'active':
      case 'provisional':
        // Approved: what was typed has done its job. (While provisional it
        // is kept, to correct it if the approval fails.)
        if (st.state === 'active') clearFields();
        showStatus(st);
        schedulePoll(st.state === 'provisional' || st.seconds_remaining === 0 ? POLL_WAITING_MS
          : POLL_ONLINE_MS);
        break;
      case 'pending':
        stopTimers();
        show('view-wait');
        schedulePoll(POLL_WAITING_MS);
        break;
      case 'rejected':
        if (state.view === 'view-plans') {
          stopTimers();
          formError(refusal(st));
          focusRetry();
        } else {
          showPlans(refusal(st));
        }
        break;
      default: // "ended", or no session at all
        if (state.view === 'view-status') notice('Your session has ended.', '');
        if (state.view !== 'view-plans') showPlans();
        else stopTimers();
    }
  }

  function showStatus(st) {
    $('provisional').hidden = st.state !== 'provisional';
    $('st-plan').textContent = st.plan || '—';
    const hasBytes = st.bytes_remaining !== null && st.bytes_remaining !== undefined;
    $('st-bytes-row').hidden = !hasBytes;
    if (hasBytes) $('st-bytes').textContent = size(st.bytes_remaining);
    $('st-charge').textContent = st.currency ? money(st.charge, st.currency)
      : (st.charge ? String(st.charge) : 'Nothing');
    syncCountdown(st.seconds_remaining);
    if (state.view !== 'view-status') notice('');
    show('view-status');
  }

  // The countdown runs here, from the gateway's figure at each poll.
  function syncCountdown(secs) {
    clearInterval(state.tickTimer);
    state.tickTimer = 0;
    const known = typeof secs === 'number' && secs >= 0;
    $('st-time-row').hidden = !known;
    if (!known) return;
    state.deadline = performance.now() + secs * 1000;
    tick();
    state.tickTimer = setInterval(tick, 1000);
  }

  function tick() {
    const left = Math.max(0, Math.ceil((state.deadline - performance.now()) / 1000));
    const t = $('remaining');
    t.textContent = clock(left);
    t.dateTime = 'PT' + left + 'S';
    if (left === 0) {
      // Time is up by this clock: ask the gateway what happened.
      clearInterval(state.tickTimer);
      state.tickTimer = 0;
      schedulePoll(0);
    }
  }

  async function poll() {
    state.pollTimer = 0;
    let st;
    try {
      st = await api('GET', '/api/v1/status');
    } catch (e) {
      notice(e.message, 'error');
      schedulePoll(POLL_RETRY_MS);
      return;
    }
    if ($('notice').classList.contains('error')) notice('');
    handleStatus(st);
  }

  async function logout() {
    const button = $('logout');
    if (state.busy) return;
    setBusy(button, true, 'Logging out…');
    stopTimers();
    try {
      await api('POST', '/api/v1/logout', {});
    } catch (e) {
      setBusy(button, false);
      notice(e.message, 'error');
      schedulePoll(POLL_RETRY_MS); // the gateway's state decides where to go
      return;
    }
    setBusy(button, false);
    await showPlans();
    if (state.view === 'view-plans') notice('You are logged out.', 'ok');
  }

  async function start() {
    notice('');
    $('retry').hidden = true;
    $('loading').hidden = false;
    let st;
    try {
      st = await api('GET', '/api/v1/status');
    } catch (e) {
      failed(e);
      return;
    }
    if (st.state === 'rejected') showPlans(refusal(st));
    else handleStatus(st);
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('pay').addEventListener('submit', submit);
    $('logout').addEventListener('click', logout);
    $('retry').addEventListener('click', start);
    $('wait-back').addEventListener('click', () => showPlans());
    start();
  });
})();
