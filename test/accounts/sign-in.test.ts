import t from 'tap';
import { buildTestApp, createTestDatabase, errorSummary, heading, Visitor } from '../helper.ts';
import { createUser, PASSWORD } from '../fixtures/accounts.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());

t.test('signs in with the right password and lands on the home page', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(database.db, 'coordinator');
  const visitor = new Visitor(app);
  const response = await visitor.signIn(user.email, PASSWORD);
  t.equal(response.headers.location, '/');
  const home = await visitor.get('/');
  t.match(heading(home.body), /Welcome/);
  t.match(home.body, /href="\/people"/, 'coordinator sees People in the menu');
});

t.test('a wrong password and an unknown email get the same message', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(database.db, 'link_worker');
  const wrong = await new Visitor(app).post('/sign-in', { email: user.email, password: 'not the password at all' });
  const unknown = await new Visitor(app).post('/sign-in', { email: 'nobody@nhs.net', password: 'not the password at all' });
  t.equal(wrong.statusCode, 400);
  t.equal(unknown.statusCode, 400);
  t.same(errorSummary(wrong.body), ['email: Enter a correct email address and password']);
  t.same(errorSummary(unknown.body), errorSummary(wrong.body));
});
