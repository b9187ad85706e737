import t from 'tap';
import { buildTestApp, createTestDatabase, Visitor } from '../../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const app = await buildTestApp(t, database);

t.test('with no provider configured nothing changes: no button, and the addresses do not exist', async (t) => {
  const visitor = new Visitor(app);
  const page = await visitor.get('/sign-in');
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, '/sign-in/with/');
  t.notMatch(page.body, 'Or sign in with your email address');
  t.equal((await visitor.post('/sign-in/with/nhsmail', { returnTo: '/' })).statusCode, 404);
  for (const path of ['/sign-in/with/nhsmail/callback?code=a&state=b', '/sign-in/with/nhsmail/new-account', '/sign-in/with/nhsmail/link-account']) {
    t.equal((await visitor.get(path)).statusCode, 404, path);
  }
  const csp = String(page.headers['content-security-policy']);
  t.match(csp, /form-action 'self'(;|$)/, 'form posts go nowhere but here');
});
