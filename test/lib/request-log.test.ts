import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../../src/config.ts';
import { createTestDatabase } from '../helper.ts';

/** The request log: one line a request, with what was asked, what was answered and how long it took. */
const database = await createTestDatabase();
t.teardown(() => database.close());

async function appLogging(logLevel: string) {
  const lines: string[] = [];
  const app = await buildApp({ config: testConfig({ logLevel }), db: database.db, logStream: { write: (line: string) => void lines.push(line) } });
  t.teardown(() => app.close());
  const entries = () =>
    lines.map(
      (line) =>
        JSON.parse(line) as {
          msg?: string;
          level: number;
          reqId?: string;
          req?: { method: string; url: string };
          res?: { statusCode: number };
          responseTime?: number;
        },
    );
  return { app, entries };
}

t.test('at info level each request is one line, written when it is answered', async (t) => {
  const { app, entries } = await appLogging('info');
  await app.inject({ method: 'GET', url: '/sign-in' });
  await app.inject({ method: 'GET', url: '/no-such-page' });
  await app.inject({ method: 'GET', url: '/reset-password/a-secret-token-from-an-email' });

  const requests = entries().filter((e) => e.req);
  t.equal(requests.length, 3, 'three requests, three lines');
  t.same(
    requests.map((e) => [e.msg, e.req?.method, e.req?.url, e.res?.statusCode]),
    [
      ['request completed', 'GET', '/sign-in', 200],
      ['request completed', 'GET', '/no-such-page', 404],
      ['request completed', 'GET', '/reset-password/[redacted]', requests[2]?.res?.statusCode],
    ],
    'each with the method, the address (secrets redacted) and the status',
  );
  t.ok(
    requests.every((e) => typeof e.responseTime === 'number' && typeof e.reqId === 'string'),
    'and the time taken and the request id',
  );
  t.notOk(
    entries().some((e) => e.msg === 'incoming request'),
    'no separate line as a request arrives',
  );
  t.notOk(JSON.stringify(entries()).includes('a-secret-token-from-an-email'), 'the token is nowhere in the log');
});

t.test('at debug level the line as a request arrives is written too, for a request that never ends', async (t) => {
  const { app, entries } = await appLogging('debug');
  await app.inject({ method: 'GET', url: '/sign-in' });
  const lines = entries().filter((e) => e.req?.url === '/sign-in');
  t.same(
    lines.map((e) => e.msg),
    ['incoming request', 'request completed'],
    'arrived, then answered',
  );
});
