#!/usr/bin/env node
/*
 * A headless Chromium (Debian's, through playwright-core: no browser is
 * downloaded) driven one command at a time, so that a shell test can put
 * its own checks between the steps: a JSON array per line on stdin, one
 * JSON answer per line on stdout, {"ok": true, "value": ...} or
 * {"ok": false, "error": "..."}. What the page logs goes to stderr.
 *
 * usage: browse.js [--viewport WxH] [--timeout SECONDS] [--profile DIR]
 *   --viewport  the window, as a phone (touch, mobile viewport): 360x740
 *   --timeout   default wait of every command (30); TCG guests need more
 *   --profile   a fresh user data directory (default: a new one in /tmp)
 *   CHROMIUM=PATH overrides /usr/bin/chromium.
 *
 * Commands (SEL is a Playwright selector: CSS, "role=button[name='Log out']",
 * "text=...", or "label=TEXT" for the form control whose label has TEXT):
 *   ["goto", URL]             value: {url, status, chain: [every URL redirected through]}
 *   ["visible", SEL, SECS?]   wait until shown; value: its text
 *   ["hidden", SEL, SECS?]    wait until hidden or gone
 *   ["text", SEL]             value: its text (innerText)
 *   ["attr", SEL, NAME]       value: the attribute (null when absent)
 *   ["value", SEL]            value: what a form field holds
 *   ["fill", SEL, VALUE]      type into a field (replacing what was there)
 *   ["check", SEL]            check a radio button or checkbox
 *   ["click", SEL]
 *   ["press", SEL, KEY]       e.g. "Enter"
 *   ["focused"]               value: {id, tag, text} of the focused element
 *   ["layout"]                value: {viewport, scrollWidth}: does the page fit?
 *   ["screenshot", PATH]      the viewport as a PNG
 *   ["certificate", ORIGIN]   value: {sha256: "AB:CD:...", subject} of the
 *                             certificate Chromium got from ORIGIN
 *   ["report"]                value: {console, errors, requests}: what the page
 *                             logged (warnings and errors), threw, and fetched
 *   ["quit"]
 */
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const { chromium } = require('playwright-core');

function options(argv) {
  const o = { viewport: '360x740', timeout: 30, profile: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--viewport' && v) o.viewport = argv[++i];
    else if (a === '--timeout' && v) o.timeout = Number(argv[++i]);
    else if (a === '--profile' && v) o.profile = argv[++i];
    else {
      process.stderr.write('usage: browse.js [--viewport WxH] [--timeout SECONDS] [--profile DIR]\n');
      process.exit(2);
    }
  }
  const m = /^(\d+)x(\d+)$/.exec(o.viewport);
  if (!m || !(o.timeout > 0)) {
    process.stderr.write('browse.js: --viewport is WIDTHxHEIGHT, --timeout a number of seconds\n');
    process.exit(2);
  }
  o.width = Number(m[1]);
  o.height = Number(m[2]);
  return o;
}

function locate(page, sel) {
  if (typeof sel !== 'string' || !sel) throw new Error('a selector is needed');
  if (sel.startsWith('label=')) return page.getByLabel(sel.slice(6));
  return page.locator(sel);
}

function colonHex(buf) {
  return buf.toString('hex').toUpperCase().match(/../g).join(':');
}

async function main() {
  const o = options(process.argv.slice(2));
  const ms = o.timeout * 1000;
  const profile = o.profile || fs.mkdtempSync(path.join(os.tmpdir(), 'wicket-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // This machine's closed network: nothing of Chromium's own may call out.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    ignoreHTTPSErrors: true, // the portal's certificate is its own, self-signed
    viewport: { width: o.width, height: o.height },
    isMobile: true,
    hasTouch: true,
    timeout: ms * 2,
  });
  context.setDefaultTimeout(ms);
  context.setDefaultNavigationTimeout(ms);
  const page = context.pages()[0] || await context.newPage();
  const seen = { console: [], errors: [], requests: [] };
  page.on('console', (m) => {
    const where = m.location() && m.location().url ? ' (' + m.location().url + ')' : '';
    const line = m.type() + ': ' + m.text() + where;
    process.stderr.write('page ' + line + '\n');
    if (m.type() === 'error' || m.type() === 'warning') seen.console.push(line);
  });
  page.on('pageerror', (e) => {
    process.stderr.write('page threw: ' + e.message + '\n');
    seen.errors.push(e.message);
  });
  page.on('crash', () => process.stderr.write('page crashed\n'));
  page.on('close', () => process.stderr.write('page closed\n'));
  context.on('close', () => process.stderr.write('browser closed\n'));
  context.on('request', (r) => seen.requests.push(r.method() + ' ' + r.url()));
  context.on('requestfailed', (r) => process.stderr.write('request failed: ' + r.url() + ' ' +
    (r.failure() ? r.failure().errorText : '') + '\n'));
  // Chromium keeps the certificates it saw per origin; asked for over CDP.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');

  const commands = {
    async goto(url) {
      const res = await page.goto(url, { waitUntil: 'load' });
      const chain = [];
      for (let r = res ? res.request() : null; r; r = r.redirectedFrom()) chain.unshift(r.url());
      return { url: page.url(), status: res ? res.status() : null, chain };
    },
    async visible(sel, secs) {
      const l = locate(page, sel);
      await l.waitFor({ state: 'visible', timeout: secs ? secs * 1000 : ms });
      return l.innerText();
    },
    async hidden(sel, secs) {
      await locate(page, sel).waitFor({ state: 'hidden', timeout: secs ? secs * 1000 : ms });
      return true;
    },
    text: (sel) => locate(page, sel).innerText(),
    attr: (sel, name) => locate(page, sel).getAttribute(name),
    value: (sel) => locate(page, sel).inputValue(),
    fill: (sel, value) => locate(page, sel).fill(String(value)),
    check: (sel) => locate(page, sel).check(),
    click: (sel) => locate(page, sel).click(),
    press: (sel, key) => locate(page, sel).press(key),
    focused: () => page.evaluate(() => {
      const e = document.activeElement;
      return e ? { id: e.id, tag: e.tagName.toLowerCase(), text: (e.innerText || e.value || '').trim() } : null;
    }),
    layout: () => page.evaluate(() => ({
      viewport: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
    })),
    async screenshot(file) {
      await page.screenshot({ path: file });
      return file;
    },
    async certificate(origin) {
      // The chain as DER, base64 (the protocol calls it tableNames).
      const { tableNames } = await cdp.send('Network.getCertificate', { origin });
      if (!tableNames || !tableNames.length) throw new Error('Chromium has no certificate for ' + origin);
      const der = Buffer.from(tableNames[0], 'base64');
      const cert = new crypto.X509Certificate(der);
      return { sha256: colonHex(crypto.createHash('sha256').update(der).digest()), subject: cert.subject };
    },
    report: () => seen,
  };

  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  const answer = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
  for await (const line of rl) {
    if (!line.trim()) continue;
    let cmd;
    try {
      cmd = JSON.parse(line);
      if (!Array.isArray(cmd) || typeof cmd[0] !== 'string') throw new Error('not ["command", args...]');
    } catch (e) {
      answer({ ok: false, error: 'bad command line: ' + e.message });
      continue;
    }
    if (cmd[0] === 'quit') break;
    const fn = commands[cmd[0]];
    if (!fn) {
      answer({ ok: false, error: 'no command ' + cmd[0] });
      continue;
    }
    try {
      const value = await fn(...cmd.slice(1));
      answer({ ok: true, value: value === undefined ? null : value });
    } catch (e) {
      answer({ ok: false, error: String(e.message || e).split('\n')[0] });
    }
  }
  await context.close();
  if (!o.profile) fs.rmSync(profile, { recursive: true, force: true });
  answer({ ok: true, value: 'bye' });
  process.exit(0); // stdin may still be open
}

main().catch((e) => {
  process.stderr.write('browse.js: ' + (e.stack || e) + '\n');
  process.stdout.write(JSON.stringify({ ok: false, error: 'browser: ' + String(e.message || e).split('\n')[0] }) + '\n');
  process.exit(1);
});
