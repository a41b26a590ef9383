// GraphiQL at /graphql, offline: every request the page makes must stay on the server under
// test (anything else is blocked and fails the check). The page must render, load the schema
// through introspection into the docs explorer, run a query and show its result.
import { BASE, api, browse, check, fail, shot, token } from './lib.mjs';

const origin = new URL(BASE).origin;
const tok = await token();
// A public initiative for the query to find (publishing needs an active partner).
const title = 'Programa para o Futuro (browser test)';
const made = await api('POST', '/api/v1/initiatives', tok, {
  title, summary: 'Digital skills', kind: 'msp', countries: ['CV'], action_lines: ['C4'], stage: 'implementing',
});
const org = await api('POST', '/api/v1/organizations', tok, { name: 'Partner (browser test)', sector: 'business' });
await api('POST', `/api/v1/initiatives/${made.body.id}/partners`, tok, { organization_id: org.body.id, roles: ['lead'] });
const current = await api('GET', `/api/v1/initiatives/${made.body.id}`, tok);
await api('PATCH', `/api/v1/initiatives/${made.body.id}`, tok, { visibility: 'public' }, { 'if-match': current.etag });

const { browser, context, page, requests, errors } = await browse();
const elsewhere = [];
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) {
    return route.continue();
  }
  elsewhere.push(url);
  return route.abort();
});

try {
  await page.goto(`${BASE}/graphql`);
  await page.locator('.graphiql-container').waitFor({ timeout: 30000 });
  // The schema is fetched by introspection as soon as the page starts.
  await page.waitForFunction(() => !document.querySelector('.graphiql-spinner'), null, { timeout: 30000 });
  const introspected = requests.some(
    (r) => r.url() === `${origin}/graphql` && r.method() === 'POST' && (r.postData() ?? '').includes('__schema'),
  );
  check(introspected, 'GraphiQL sent no introspection query');

  // The docs explorer shows the schema's types.
  await page.getByRole('button', { name: /Show Documentation Explorer/i }).click();
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.waitFor();
  await docs.getByText('QueryRoot', { exact: true }).first().click();
  await docs.getByText('initiatives', { exact: true }).first().waitFor();
  await docs.getByText('InitiativeConnection').first().click();
  await docs.getByText('pageInfo', { exact: true }).first().waitFor();
  await shot(page, 'graphiql-docs');

  // Run the default query (public initiatives) and see its result.
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.url() === `${origin}/graphql` && (r.request().postData() ?? '').includes('initiatives('),
      { timeout: 15000 },
    ),
    page.locator('.graphiql-execute-button').click(),
  ]);
  check(response.status() === 200, `the query answered ${response.status()}`);
  const result = page.locator('.graphiql-response');
  await result.getByText(title).first().waitFor({ timeout: 15000 });
  const shown = await result.innerText();
  check(shown.includes('"totalCount"'), `the result pane shows no totalCount: ${shown.slice(0, 300)}`);
  await shot(page, 'graphiql-result');

  check(elsewhere.length === 0, `the page asked other hosts: ${elsewhere.join(', ')}`);
  const off = requests.filter((r) => !r.url().startsWith(`${origin}/`) && !/^(data|blob):/.test(r.url()));
  check(off.length === 0, `requests left ${origin}: ${off.map((r) => r.url()).join(', ')}`);
  check(errors.length === 0, `the page threw: ${errors.join('; ')}`);
  console.log(`GraphiQL: ${requests.length} requests, all to ${origin}; docs loaded; the query ran`);
} catch (e) {
  await shot(page, 'graphiql-failure').catch(() => {});
  await browser.close();
  fail(`GraphiQL: ${e.message}\n${e.stack}`);
}
await browser.close();
