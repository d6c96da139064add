// The console's one way to the server: a typed client generated from api/openapi.yaml
// (openapi-typescript → schema.d.ts, openapi-fetch for the calls). The session cookie travels by
// itself; unsafe methods echo the CSRF token from the readable `__csrf` cookie. Every non-2xx answer
// becomes an ApiError carrying the server's own message (Harbor's {"errors":[{code,message}]}), so
// pages show what the API said, never a generic failure.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

export function csrfToken(): string {
  const m = document.cookie.match(/(?:^|;\s*)__csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : "";
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text);
    const first = body?.errors?.[0];
    if (first?.message) return new ApiError(res.status, first.code ?? "", first.message);
  } catch {
    /* not JSON: fall through */
  }
  return new ApiError(res.status, "", text.trim() || `${res.status} ${res.statusText}`);
}

const errors: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method)) request.headers.set("X-Harbor-CSRF-Token", csrfToken());
    return request;
  },
  async onResponse({ response }) {
    if (!response.ok) throw await errorOf(response);
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(errors);

// For the few routes outside the OpenAPI contract (/c/login, /api/chartrepo/…, multipart uploads):
// the same CSRF and error rules over plain fetch.
export async function raw(path: string, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? "GET").toUpperCase();
  const headers = new Headers(init.headers);
  if (UNSAFE.has(method)) headers.set("X-Harbor-CSRF-Token", csrfToken());
  const res = await fetch(path, { ...init, headers, credentials: "same-origin" });
  if (!res.ok) throw await errorOf(res);
  return res;
}

// The X-Total-Count of a list answer (server-side paging).
export function totalOf(response: Response): number {
  return Number(response.headers.get("X-Total-Count") ?? "0");
}

export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
