// A small client for the portal's JSON API. Errors carry the API's Italian message
// (`{"error": {"code", "message"}}`), or a plain Italian one when the service
// cannot be reached; a 422 `invalid_fields` also carries its problems per input
// (`fields: [{field, code, message}]`), which forms show next to each input.

export class ApiError extends Error {
  constructor(status, code, message, { fields = [], retryAfter = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    /** [{field, code, message}]: the inputs the problems are about (422). */
    this.fields = fields;
    /** Seconds to wait before trying again (429 Retry-After), or null. */
    this.retryAfter = retryAfter;
  }
}

const TIMEOUT_MS = 15000;

async function request(method, path, { body, csrf, signal } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  signal?.addEventListener('abort', () => controller.abort());
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrf) headers['x-csrf-token'] = csrf;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: controller.signal,
    });
  } catch {
    throw new ApiError(0, 'network', 'Impossibile contattare il servizio. Verifica la connessione e riprova.');
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const e = data?.error;
    const wait = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
    throw new ApiError(
      response.status,
      e?.code ?? 'http_' + response.status,
      e?.message ?? 'Il servizio non è al momento disponibile. Riprova tra qualche minuto.',
      {
        fields: Array.isArray(e?.fields) ? e.fields.filter((f) => typeof f?.field === 'string' && typeof f?.message === 'string') : [],
        retryAfter: Number.isFinite(wait) && wait > 0 ? wait : null,
      },
    );
  }
  if (data === null) throw new ApiError(response.status, 'bad_response', 'Risposta del servizio non valida. Riprova tra qualche minuto.');
  return data;
}

export function getJSON(path, { signal } = {}) {
  return request('GET', path, { signal });
}

/**
 * A write (POST, PUT, DELETE) with a JSON body and the session's CSRF token
 * (`X-CSRF-Token`, from GET /api/session).
 */
export function sendJSON(method, path, body, csrf) {
  return request(method, path, { body: body ?? {}, csrf });
}
