import t from 'tap';
import { createOrganisation, createUser, PASSWORD } from '../../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, decodeHtml, errorSummary, fieldError, Visitor } from '../../helper.ts';

// An organisation's own websites: the only sites that may show its activities in a frame (the
// embed page's frame-ancestors). Whole https sites only, each refused with an instruction.
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const museum = await createOrganisation(db, { name: 'Websites Museum', website: 'https://museum.example.org.uk' });
const staff = await createUser(db, 'provider', { organisationId: museum.id });
const form = { name: 'Websites Museum', kind: 'museum', description: 'A museum.', publishesOpenData: 'yes' };

const stored = async () => (await db.selectFrom('organisations').select('embedWebsites').where('id', '=', museum.id).executeTakeFirstOrThrow()).embedWebsites;

t.test('provider staff list their own websites, kept as origins, one a line', async (t) => {
  const app = await buildTestApp(t, database);
  const visitor = new Visitor(app);
  await visitor.signIn(staff.email, PASSWORD);
  const page = await visitor.get('/organisation/edit');
  t.match(page.body, '<label class="nhsuk-label" for="embedWebsites">', 'the field is on the settings form');

  const saved = await visitor.post('/organisation/edit', {
    ...form,
    embedWebsites: '  https://www.Museum.example.org.uk/ \r\n\r\nhttps://shop.museum.example.org.uk:8443\nhttps://www.museum.example.org.uk',
  });
  t.equal(saved.statusCode, 303);
  t.same(await stored(), ['https://www.museum.example.org.uk', 'https://shop.museum.example.org.uk:8443'], 'lower case, no slash, no repeats');
  const again = await visitor.get('/organisation/edit');
  t.match(again.body, '>https://www.museum.example.org.uk\nhttps://shop.museum.example.org.uk:8443</textarea>', 'shown one a line');

  t.equal((await visitor.post('/organisation/edit', { ...form, embedWebsites: '' })).statusCode, 303);
  t.same(await stored(), [], 'emptying the field allows no site');
});

t.test('anything but a whole https site is refused with an instruction, the values kept and nothing changed', async (t) => {
  const app = await buildTestApp(t, database);
  const visitor = new Visitor(app);
  await visitor.signIn(staff.email, PASSWORD);
  await db
    .updateTable('organisations')
    .set({ embedWebsites: ['https://kept.example.org'] })
    .where('id', '=', museum.id)
    .execute();
  const cases: Array<[value: string, message: RegExp]> = [
    ['http://www.museum.example.org.uk', /^Enter each website with https:\/\/ at the start, not http:\/\//],
    ['www.museum.example.org.uk', /^Enter each website starting with https:\/\//],
    ['https://www.museum.example.org.uk/whats-on', /^Enter only the website's address, without a page/],
    ['https://www.museum.example.org.uk/?page=1', /^Enter only the website's address/],
    ['https://user:secret@www.museum.example.org.uk', /^Enter only the website's address/],
    ['https://*.museum.example.org.uk', /^Enter each website in the correct format/],
    ['https://localhost', /^Enter each website in the correct format/],
    ['https://www.museum.example.org.uk; script-src *', /^Enter each website in the correct format/],
    ["javascript:alert('x')", /^Enter each website starting with https:\/\//],
    [Array.from({ length: 11 }, (_, i) => `https://site${i}.example.org`).join('\n'), /^Enter 10 websites or fewer$/],
    [`https://${'a'.repeat(2000)}.org`, /^Websites must be 2,000 characters or fewer$/],
    ['https://www.museum.example.org.uk\u0000', /^Websites must not contain hidden characters/],
  ];
  for (const [value, message] of cases) {
    const response = await visitor.post('/organisation/edit', { ...form, embedWebsites: value });
    t.equal(response.statusCode, 400, JSON.stringify(value).slice(0, 80));
    t.match(decodeHtml(fieldError(response.body, 'embedWebsites') ?? ''), message);
    t.match(errorSummary(response.body)[0], /^embedWebsites: /, 'in the error summary, linked to the field');
    if (!value.includes('\u0000') && value.length < 1000) t.match(decodeHtml(response.body), `${value}</textarea>`, 'what was typed is kept');
  }
  t.same(await stored(), ['https://kept.example.org'], 'nothing changed');
});

t.test('the database itself refuses anything but https origins', async (t) => {
  for (const bad of [['http://example.org'], ['https://example.org/page'], ["https://example.org 'unsafe-inline'"], ['https://a.org;x']]) {
    await t.rejects(db.updateTable('organisations').set({ embedWebsites: bad }).where('id', '=', museum.id).execute(), JSON.stringify(bad));
  }
});
