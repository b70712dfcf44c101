/**
 * The console's only way to the control plane: the public API, same origin, with the signed-in
 * user's bearer token (held in memory only). GETs are conditional (If-None-Match -> 304 reuses
 * the last body), and a 401 from any call signs the user out.
 */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

let token: string | undefined;
let onUnauthorized: () => void = () => undefined;
const cache = new Map<string, { etag: string; body: unknown }>();

export function setToken(value: string | undefined): void {
  token = value;
  cache.clear();
}

export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    const body = (await response.json()) as Problem;
    return { ...body, status: response.status };
  } catch {
    return { status: response.status, title: response.statusText };
  }
}

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const cached = method === 'GET' ? cache.get(path) : undefined;
  if (cached) headers['if-none-match'] = cached.etag;
  const response = await fetch(path, {
    method,
    headers,
    cache: 'no-store',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 401) {
    onUnauthorized();
    throw new ApiError(await problemOf(response));
  }
  return response;
}

/** GET a JSON resource; unchanged since the last GET of this path (304), the cached body. */
export async function get<T>(path: string): Promise<T> {
  const response = await request('GET', path);
  if (response.status === 304) {
    const cached = cache.get(path);
    if (cached) return cached.body as T;
  }
  if (!response.ok) throw new ApiError(await problemOf(response));
  const body = (await response.json()) as T;
  const etag = response.headers.get('etag');
  if (etag) cache.set(path, { etag, body });
  return body;
}

export async function send<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await request(method, path, body);
  if (!response.ok) throw new ApiError(await problemOf(response));
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A public document (no token): the OpenAPI description of the API. */
export async function publicJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new ApiError(await problemOf(response));
  return (await response.json()) as T;
}

export const enc = encodeURIComponent;
