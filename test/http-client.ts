import http from 'node:http';

/** A response read to the end, and whether it came over a connection used before. */
export type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string; reusedSocket: boolean };

/**
 * One real HTTP request over the network (not inject): `agent: false` opens a connection of its
 * own, a keep-alive agent reuses one. Rejects with the socket's error (ECONNREFUSED, ECONNRESET).
 */
export function send(
  url: string,
  options: { method?: string; agent?: http.Agent | false; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', agent: options.agent ?? false, headers: options.headers ?? {} });
    request.on('error', reject);
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, reusedSocket: request.reusedSocket }));
    });
    request.end(options.body);
  });
}

/** The error code a failed request gave, or the status of its answer. */
export async function outcome(promise: Promise<Answer>): Promise<number | string> {
  try {
    return (await promise).status;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

/**
 * A form post whose body is sent in two parts: the request is in flight (its headers read, its
 * handler waiting for the body) from the first part until `finish` sends the rest.
 */
export function slowPost(url: string, form: string, headers: Record<string, string>): { finish: () => Promise<Answer> } {
  const request = http.request(url, {
    method: 'POST',
    agent: false,
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(form)) },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, reusedSocket: false }));
    });
  });
  answer.catch(() => {});
  const half = Math.floor(form.length / 2);
  request.write(form.slice(0, half));
  return {
    finish: () => {
      request.end(form.slice(half));
      return answer;
    },
  };
}

/** A promise with its resolve function outside, for events a test waits on in order. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
