// Drives a running server through the generated TypeScript types (scripts/ci/contract.sh):
// sign in, list with filters, create, read back, then a stale If-Match (412) and an invalid
// body (422), each handled as a typed problem.
//
//   node smoke.js BASE_URL EMAIL PASSWORD
import { ApiClient } from "./client.js";

declare const process: { argv: string[]; exitCode?: number };

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`typescript client: ${message}`);
}

async function main(base: string, email: string, password: string): Promise<void> {
  const anonymous = new ApiClient(base);
  const signIn = await anonymous.call("post", "/api/v1/auth/token", {
    params: {},
    form: { grant_type: "password", username: email, password },
  });
  check(signIn.status === 200, `sign-in answered ${signIn.status}`);
  const client = anonymous.signedIn(signIn.body.access_token);

  const me = await client.call("get", "/api/v1/me", { params: {} });
  check(me.status === 200 && me.body.tenant.slug === "ci-registry", "signed in to the CI tenant");

  const marker = Math.random().toString(36).slice(2, 12);
  const title = `TypeScript client partnership ${marker}`;
  const created = await client.call("post", "/api/v1/initiatives", {
    params: { header: { "Idempotency-Key": `ts-${marker}` } },
    body: { title, kind: "ppp", countries: ["KE"] },
  });
  check(created.status === 201, `create answered ${created.status}`);
  const id = created.body.id;

  const listed = await client.call("get", "/api/v1/initiatives", {
    params: { query: { scope: "tenant", q: marker, country: "KE", sort: "-updated_at", per_page: 10 } },
  });
  check(listed.status === 200, `list answered ${listed.status}`);
  check(
    listed.body.items.length === 1 && listed.body.items[0]?.id === id,
    `the filtered list finds it: ${JSON.stringify(listed.body.items.map((i) => i.id))}`,
  );

  const read = await client.call("get", "/api/v1/initiatives/{id}", { params: { path: { id } } });
  check(read.status === 200, `read back answered ${read.status}`);
  check(read.body.title === title, "read back the same title");
  const etag = read.headers.get("etag") ?? "";

  const stale = await client.call("patch", "/api/v1/initiatives/{id}", {
    params: { path: { id }, header: { "If-Match": '"999"' } },
    body: { summary: "a change from a stale copy" },
  });
  check(stale.status === 412, `a stale If-Match answered ${stale.status}`);
  check(stale.body.code === "stale_version", `412 code ${stale.body.code}`);

  const invalid = await client.call("patch", "/api/v1/initiatives/{id}", {
    params: { path: { id }, header: { "If-Match": etag } },
    body: { countries: ["XX"] },
  });
  check(invalid.status === 422, `an invalid body answered ${invalid.status}`);
  check(invalid.body.code === "validation", `422 code ${invalid.body.code}`);
  const fields = (invalid.body.errors ?? []).map((e) => e.field);
  check(fields.some((f) => f.startsWith("countries")), `the 422 names the field: ${fields}`);

  console.log(`typescript client: signed in, listed, created ${id}, read it back, 412 and 422 typed`);
}

main(process.argv[2] ?? "", process.argv[3] ?? "", process.argv[4] ?? "").catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
