import autocannon, { type Context, type Request, type Result } from 'autocannon';

/** Two filters and a text search, as a link worker would type them. */
export const FIND_QUERY = 'q=beginners&time=morning&stepFree=yes';

/** Every request says it came through the TLS-ending proxy, as in production. */
export const PROXIED = { 'x-forwarded-proto': 'https' } as const;

/** One signed-in link worker, as a browser would hold them: cookies and the page's CSRF token. */
export type Visitor = { userId: string; cookie: string; csrfToken: string };

/** A tiny cookie jar for fetch: enough to sign in and pick up the CSRF cookie. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export function csrfTokenIn(html: string): string | undefined {
  return (/name="_csrf" value="([^"]+)"/.exec(html) ?? /"x-csrf-token": ?"([^"]+)"/.exec(html))?.[1];
}

export type RunOutcome = {
  result: Result;
  /** Completed requests per second over the run. */
  rps: number;
  /** Every status code seen, with its count (from our own tally, not autocannon's classes). */
  statuses: Map<number, number>;
  /** Responses that were not 2xx or 3xx, plus connection errors and timeouts. */
  failures: number;
};

export type RunOptions = {
  port: number;
  requests: Request[];
  connections: number;
  duration?: number;
  amount?: number;
  overallRate?: number;
};

/** One autocannon run against 127.0.0.1, with a tally of status codes. */
export async function run(options: RunOptions): Promise<RunOutcome> {
  const statuses = new Map<number, number>();
  const tally = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const requests = options.requests.map((request) => ({
    ...request,
    onResponse: (status: number, body: string, context: Context, headers: Record<string, string | string[]>) => {
      tally(status);
      request.onResponse?.(status, body, context, headers);
    },
  }));
  const result = await autocannon({
    url: `http://127.0.0.1:${options.port}`,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 10 }),
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    timeout: 10,
    requests,
  });
  const seconds = (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000;
  const failures = result['1xx'] + result['4xx'] + result['5xx'] + result.errors + result.timeouts;
  return { result, rps: result.requests.total / seconds, statuses, failures };
}

/** Hands out visitors so no two requests in flight act as the same person. */
export class VisitorPool {
  private readonly free: Visitor[];
  private next = 0;

  constructor(visitors: Visitor[]) {
    this.free = [...visitors];
  }

  /** The next visitor in turn, for reads (any number may share one). */
  rotate(): Visitor {
    const visitor = this.free[this.next % this.free.length];
    if (!visitor) throw new Error('No visitors to take turns: the pool is empty');
    this.next++;
    return visitor;
  }

  take(): Visitor | undefined {
    return this.free.shift();
  }

  give(visitor: Visitor): void {
    this.free.push(visitor);
  }
}

const FORM = 'application/x-www-form-urlencoded';

export function pageHeaders(visitor: Visitor): Record<string, string> {
  return { ...PROXIED, cookie: visitor.cookie };
}

export function formPost(visitor: Visitor): { headers: Record<string, string>; body: string } {
  return {
    headers: { ...PROXIED, cookie: visitor.cookie, 'content-type': FORM },
    body: new URLSearchParams({ _csrf: visitor.csrfToken }).toString(),
  };
}

function header(headers: Record<string, string | string[]>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key ? headers[key] : undefined;
  return Array.isArray(value) ? value[0] : value;
}

const bookingIdIn = /\/bookings\/([0-9a-f-]{36})/;

/**
 * Book, then cancel, again and again: each pair by one person (taken from the pool, so no two
 * connections act for the same person at once) on a session picked in turn from `sessionIds`.
 * `app` drives the real pages (form posts with cookies and CSRF, redirects); otherwise the bare
 * routes (X-User-Id, JSON).
 */
export function bookAndCancel(pool: VisitorPool, sessionIds: string[], app: boolean): Request[] {
  let turn = 0;
  const release = (context: Context) => {
    if (context.visitor) pool.give(context.visitor as Visitor);
    context.visitor = undefined;
  };
  return [
    {
      method: 'POST',
      setupRequest: (request, context) => {
        const visitor = pool.take();
        if (!visitor) throw new Error('More connections than people to book for: raise the number of visitors');
        context.visitor = visitor;
        const sessionId = sessionIds[turn++ % sessionIds.length];
        if (!sessionId) throw new Error('No sessions to book: the seed made none that are open');
        const post = app ? formPost(visitor) : { headers: { 'x-user-id': visitor.userId }, body: '' };
        return { ...request, path: `/sessions/${sessionId}/book`, ...post };
      },
      onResponse: (status, body, context, headers) => {
        const found = app ? bookingIdIn.exec(header(headers, 'location') ?? '')?.[1] : /"bookingId":"([^"]+)"/.exec(String(body))?.[1];
        if ((app ? status === 303 : status === 200) && found) context.bookingId = found;
        else release(context);
      },
    },
    {
      method: 'POST',
      setupRequest: (request, context) => {
        const visitor = context.visitor as Visitor | undefined;
        if (!visitor || !context.bookingId) {
          release(context);
          return null;
        }
        const post = app ? formPost(visitor) : { headers: { 'x-user-id': visitor.userId }, body: '' };
        return { ...request, path: `/bookings/${String(context.bookingId)}/cancel`, ...post };
      },
      onResponse: (_status, _body, context) => release(context),
    },
  ];
}
