// Shared by the browser checks: the server under test, a browser, REST calls for set-up, and
// failing with a clear message.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const BASE = process.env.BASE ?? fail('BASE (the server under test) is not set');
export const EMAIL = process.env.CI_EMAIL ?? 'owner@ci.example.org';
export const PASSWORD = process.env.CI_PASSWORD ?? 'ci-password-not-secret-0123';
export const SHOTS = process.env.SHOTS ?? '../target/browser';

export function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/// A token for the CI owner (the password grant, as Swagger UI's Authorize sends it).
export async function token() {
  const res = await fetch(`${BASE}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: EMAIL, password: PASSWORD }),
  });
  const text = await res.text();
  check(res.ok, `sign in as ${EMAIL}: ${res.status} ${text}`);
  return JSON.parse(text).access_token;
}

/// A REST call for set-up; fails unless it answers `expect`.
export async function api(method, path, tok, body, headers = {}, expect = [200, 201, 204]) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tok}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  check(expect.includes(res.status), `${method} ${path}: ${res.status} ${text}`);
  return { status: res.status, etag: res.headers.get('etag'), body: text ? JSON.parse(text) : null };
}

/// A headless Chromium (Debian's), a page, and every request the page sends.
export async function browse() {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r));
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { browser, context, page, requests, errors };
}

export async function shot(page, name) {
  const path = `${SHOTS}/${name}.png`;
  await page.screenshot({ path, fullPage: false });
  console.log(`  screenshot ${path}`);
}
