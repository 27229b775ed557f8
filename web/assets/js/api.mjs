// A small client for the portal's JSON API. Errors carry the API's Italian message
// (`{"error": {"code", "message"}}`), or a plain Italian one when the service
// cannot be reached.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const TIMEOUT_MS = 15000;

export async function getJSON(path, { signal } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  signal?.addEventListener('abort', () => controller.abort());
  let response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' }, signal: controller.signal });
  } catch {
    throw new ApiError(0, 'network', 'Impossibile contattare il servizio. Verifica la connessione e riprova.');
  } finally {
    clearTimeout(timer);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const e = body?.error;
    throw new ApiError(
      response.status,
      e?.code ?? 'http_' + response.status,
      e?.message ?? 'Il servizio non è al momento disponibile. Riprova tra qualche minuto.',
    );
  }
  if (body === null) throw new ApiError(response.status, 'bad_response', 'Risposta del servizio non valida. Riprova tra qualche minuto.');
  return body;
}
