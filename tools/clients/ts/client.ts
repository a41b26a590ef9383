// A small typed fetch wrapper over the types openapi-typescript generates from
// openapi/openapi.json (`schema.ts`, written beside this file by scripts/ci/contract.sh).
// Paths, methods, parameters, bodies and every documented response (success or problem) are
// checked by tsc; a response is a union discriminated by its status.
import type { paths } from "./schema.js";

type Method = "get" | "put" | "post" | "patch" | "delete";
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Params<O> = O extends { parameters: infer X } ? X : never;
type JsonBody<O> = O extends { requestBody: { content: { "application/json": infer B } } }
  ? B
  : O extends { requestBody?: { content: { "application/json": infer B } } }
    ? B
    : never;
type FormBody<O> = O extends {
  requestBody: { content: { "application/x-www-form-urlencoded": infer B } };
}
  ? B
  : never;
type Responses<O> = O extends { responses: infer R } ? R : never;
type ContentOf<R> = R extends { content: { "application/json": infer J } }
  ? J
  : R extends { content: { "application/problem+json": infer J } }
    ? J
    : undefined;

/** One documented response of operation `O`: `status` narrows `body`. */
export type Result<O> = {
  [S in keyof Responses<O>]: { status: S; headers: Headers; body: ContentOf<Responses<O>[S]> };
}[keyof Responses<O>];

type Defined<T> = Exclude<T, undefined>;

export interface Request<O> {
  params: Params<O>;
  /** A JSON body, for operations that take one. */
  body?: JsonBody<O>;
  /** A form body (`application/x-www-form-urlencoded`), for operations that take one. */
  form?: FormBody<O>;
}

export class ApiClient {
  constructor(
    readonly base: string,
    private token?: string,
  ) {}

  signedIn(token: string): ApiClient {
    return new ApiClient(this.base, token);
  }

  async call<P extends keyof paths, M extends Method & keyof paths[P]>(
    method: M,
    path: P,
    request: Request<Op<P, M>>,
  ): Promise<Result<Op<P, M>>> {
    const params = request.params as {
      path?: Record<string, string>;
      query?: Record<string, string | number | boolean | null | undefined>;
      header?: Record<string, string | null | undefined>;
    };
    let url = String(path).replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(String(params.path?.[name] ?? "")),
    );
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params.query ?? {})) {
      if (value !== undefined && value !== null) query.set(name, String(value));
    }
    if (query.size > 0) url += `?${query}`;
    const headers = new Headers({ Accept: "application/json, application/problem+json" });
    for (const [name, value] of Object.entries(params.header ?? {})) {
      if (value !== undefined && value !== null) headers.set(name, value);
    }
    if (this.token) headers.set("Authorization", `Bearer ${this.token}`);
    let body: string | undefined;
    if (request.body !== undefined) {
      headers.set("Content-Type", "application/json");
      body = JSON.stringify(request.body);
    } else if (request.form !== undefined) {
      const form = new URLSearchParams();
      for (const [name, value] of Object.entries(request.form as Record<string, unknown>)) {
        if (value !== undefined && value !== null) form.set(name, String(value));
      }
      headers.set("Content-Type", "application/x-www-form-urlencoded");
      body = form.toString();
    }
    const response = await fetch(new URL(url, this.base), {
      method: String(method).toUpperCase(),
      headers,
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : undefined,
    } as Result<Op<P, M>>;
  }
}

export type { Defined };
