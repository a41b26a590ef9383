// Swagger UI at /docs, driven as a person would: Authorize (the OAuth2 password flow), then
// Try it out -> Execute on a filtered list, a create and a delete. Each Execute must send
// exactly the request chosen (URL, method, body, If-Match), which is what a duplicated
// operationId broke: Swagger UI then runs another operation of the same id.
import { BASE, EMAIL, PASSWORD, api, browse, check, equal, fail, shot, token } from './lib.mjs';

const tok = await token();
// Something for the filter to find and something for it to leave out.
for (const [title, country] of [['Mali CLIC (browser test)', 'ML'], ['Senegal hub (browser test)', 'SN']]) {
  await api('POST', '/api/v1/initiatives', tok, {
    title, summary: `Summary of ${title}`, kind: 'msp', countries: [country], action_lines: ['C4'],
  });
}

const { browser, page, requests, errors } = await browse();
const apiRequests = () => requests.filter((r) => r.url().startsWith(`${BASE}/api/v1/`));

async function open(tag, operationId) {
  const block = page.locator(`#operations-${tag}-${operationId}`);
  check(await block.count() === 1, `Swagger UI shows no operation ${operationId}`);
  await block.locator('.opblock-summary').first().click();
  await block.locator('button.try-out__btn').click();
  return block;
}

/// Clicks Execute and returns the one API request it sent, with its response.
async function execute(block, what) {
  const before = apiRequests().length;
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(`${BASE}/api/v1/`), { timeout: 15000 }),
    block.locator('button.execute').click(),
  ]);
  await block.locator('.live-responses-table .response-col_status').first().waitFor();
  await block.locator('.live-responses-table').scrollIntoViewIfNeeded();
  const sent = apiRequests().slice(before);
  equal(sent.length, 1, `${what}: requests sent`);
  return { request: sent[0], response };
}

try {
  await page.goto(`${BASE}/docs/`);
  await page.locator('.swagger-ui .info .title').waitFor({ timeout: 30000 });

  // Authorize: the password flow with the CI owner's credentials.
  await page.locator('.auth-wrapper button.authorize').click();
  const modal = page.locator('.modal-ux');
  await modal.waitFor();
  const password = modal.locator('.auth-container', { has: page.locator('#oauth_username') });
  check(await password.count() === 1, 'the Authorize dialog has no OAuth2 password flow');
  await password.locator('#oauth_username').fill(EMAIL);
  await password.locator('#oauth_password').fill(PASSWORD);
  const [signIn] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${BASE}/api/v1/auth/token`),
    password.locator('button.authorize').click(),
  ]);
  equal(signIn.request().method(), 'POST', 'sign-in method');
  const form = new URLSearchParams(signIn.request().postData() ?? '');
  equal([form.get('grant_type'), form.get('username')], ['password', EMAIL], 'sign-in form');
  equal(signIn.status(), 200, `sign-in status (${await signIn.text()})`);
  await page.waitForFunction(() => {
    const text = document.querySelector('.modal-ux')?.innerText ?? '';
    return text.includes('Authorized') && text.includes('Logout');
  });
  await shot(page, 'swagger-authorized');
  await modal.locator('button.btn-done, button.close-modal').first().click();

  // A list with a filter.
  const list = await open('initiatives', 'initiatives_list');
  await list.locator('tr[data-param-name="country"] input').fill('ML');
  const listed = await execute(list, 'list');
  equal(listed.request.method(), 'GET', 'list method');
  equal(listed.request.url(), `${BASE}/api/v1/initiatives?country=ML`, 'list URL');
  check(listed.request.headers().authorization?.startsWith('Bearer '), 'the list is sent signed in');
  equal(listed.response.status(), 200, 'list status');
  const page1 = await listed.response.json();
  equal(page1.items.map((i) => i.countries), page1.items.map(() => ['ML']), 'only Mali comes back');
  check(page1.items.some((i) => i.title === 'Mali CLIC (browser test)'), 'the Mali initiative is listed');
  await shot(page, 'swagger-list');

  // A create, with a body typed in.
  const create = await open('organizations', 'organizations_create');
  const body = { name: 'Orange Mali (browser test)', sector: 'business', country: 'ML', visibility: 'private' };
  await create.locator('textarea.body-param__text').fill(JSON.stringify(body, null, 2));
  const created = await execute(create, 'create');
  equal(created.request.method(), 'POST', 'create method');
  equal(created.request.url(), `${BASE}/api/v1/organizations`, 'create URL');
  equal(JSON.parse(created.request.postData() ?? 'null'), body, 'create body');
  equal(created.response.status(), 201, 'create status');
  const org = await created.response.json();
  equal(org.name, body.name, 'created name');
  await shot(page, 'swagger-create');

  // A delete of that record, with its ETag.
  const { etag } = await api('GET', `/api/v1/organizations/${org.id}`, tok);
  const remove = await open('organizations', 'organizations_delete');
  await remove.locator('tr[data-param-name="id"] input').fill(org.id);
  await remove.locator('tr[data-param-name="If-Match"] input').fill(etag);
  const removed = await execute(remove, 'delete');
  equal(removed.request.method(), 'DELETE', 'delete method');
  equal(removed.request.url(), `${BASE}/api/v1/organizations/${org.id}`, 'delete URL');
  equal(removed.request.headers()['if-match'], etag, 'delete If-Match');
  equal(removed.request.postData() ?? null, null, 'delete body');
  equal(removed.response.status(), 204, 'delete status');
  await api('GET', `/api/v1/organizations/${org.id}`, tok, null, {}, [404]);
  await shot(page, 'swagger-delete');

  check(errors.length === 0, `the page threw: ${errors.join('; ')}`);
  console.log('Swagger UI: Authorize, list, create and delete sent exactly the requests chosen');
} catch (e) {
  await shot(page, 'swagger-failure').catch(() => {});
  await browser.close();
  fail(`Swagger UI: ${e.message}\n${e.stack}`);
}
await browser.close();
