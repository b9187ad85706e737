// The HTML check itself: it must find each kind of error the W3C Nu checker found on our pages, accept
// the markup we use instead, and make a test fail when a page it rendered is invalid, so it cannot pass
// silently.
import t from 'tap';
import { buildTestApp, createTestDatabase } from '../helper.ts';
import { validateHtml } from './check.ts';

const page = (body: string) =>
  `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>A page</title></head>\n<body>\n${body}\n</body>\n</html>\n`;

async function rulesBroken(html: string, kind: 'page' | 'fragment' = 'page') {
  return (await validateHtml(html, kind)).map((e) => e.ruleId);
}

t.test('each error the Nu checker reported on our pages is an error here too', async (t) => {
  t.same(
    await rulesBroken(page('<form action="/find" method="get" hx-get="/find"><button>Go</button></form>')),
    ['tasters/known-attribute'],
    'an hx-* attribute',
  );
  t.same(await rulesBroken(page('<p><span role="text">Important</span></p>')), ['tasters/valid-role'], 'role="text"');
  const rowsWithRoles = '<table><caption>Tasters</caption><tr role="row"><th scope="col">Date</th></tr><tr role="row"><td role="cell">1 May</td></tr></table>';
  t.same(await rulesBroken(page(rowsWithRoles)), ['tasters/table-cell-role', 'tasters/table-cell-role', 'tasters/table-cell-role'], 'role on tr and td');
  t.same(
    await rulesBroken(page(rowsWithRoles.replace('<table>', '<table role="table">'))),
    ['tasters/table-cell-role', 'tasters/table-cell-role', 'tasters/table-cell-role'],
    'role on tr and td in a table with role="table" (nhsuk-frontend responsive tables) too',
  );
  t.same(await rulesBroken(page(rowsWithRoles.replace('<table>', '<table role="presentation">'))), [], 'allowed in a layout table');
  t.same(
    await rulesBroken(page('<label for="pcn">PCN</label><select id="pcn" name="pcn"><option>All</option></select><h2 id="pcn">By PCN</h2>')),
    ['no-dup-id'],
    'a duplicate id',
  );
});

t.test('other errors the Nu checker reports', async (t) => {
  t.same(await rulesBroken(page('<ul><div>x</div></ul>')), ['element-permitted-content'], 'bad nesting');
  t.same(await rulesBroken(page('<img src="/x.png">')), ['wcag/h37'], 'an image with no alt');
  t.ok((await rulesBroken(page('<center>x</center>'))).includes('deprecated'), 'an obsolete element');
  t.same(await rulesBroken(page('<p aria-describedby="nowhere">x</p>')), ['no-missing-references'], 'a reference to no element');
  t.same(await rulesBroken(page('<input type="checkbox" name="a" maxlength="3">')), ['input-attributes'], 'an attribute that does not apply');
  t.same(await rulesBroken(page('<p>x</p>').replace('<!doctype html>\n', '')), ['missing-doctype'], 'a page with no doctype');
  t.same(await rulesBroken(page('<div/>')), ['no-self-closing'], 'a self-closed div');
});

t.test('the markup we use instead is valid', async (t) => {
  t.same(
    await rulesBroken(
      page(
        `<form action="/find" method="get" data-hx-get="/find" data-hx-target="#r" data-hx-swap="innerHTML" data-hx-push-url="true"><button>Go</button></form><div id="r"></div>`,
      ).replace('<body>', `<body data-hx-headers:inherited='{"x-csrf-token": "abc"}'>`),
    ),
    [],
    'data-hx-* attributes, with htmx 4 modifiers',
  );
  t.same(
    await rulesBroken(
      page('<svg viewBox="0 0 10 10" role="img" aria-labelledby="c"><title id="c">Chart</title><rect x="1" y="1" width="2" height="3"/></svg>'),
    ),
    [],
    'SVG content keeps its own attributes and self-closing tags',
  );
  t.same(
    await rulesBroken(
      '<tr id="booking-1"><td>Sam</td></tr>\n<hx-partial data-hx-target="#counts" data-hx-swap="innerHTML"><p>1 attended</p></hx-partial>',
      'fragment',
    ),
    [],
    'an htmx fragment: a table row and an <hx-partial>, pointing into the page',
  );
  t.same(
    await rulesBroken('<hx-partial hx-target="#counts">1</hx-partial>', 'fragment'),
    ['tasters/known-attribute'],
    'hx-partial takes data-hx-* like any element',
  );
});

t.test('every HTML response of an app built for tests is checked, and an invalid one fails the test', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.close());
  // The test's teardown stands in for tap's, to see what it would do at the end of a test.
  const teardowns: Array<() => unknown> = [];
  const app = await buildTestApp({ teardown: (fn) => teardowns.push(fn) }, database);
  app.get('/invalid-for-this-test', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(page('<div hx-get="/x">x</div>\n<p id="a">1</p><p id="a">2</p>')),
  );
  app.get('/fragment-for-this-test', async (_request, reply) => reply.type('text/html').send('<li role="text">x</li>'));
  t.equal((await app.inject('/')).statusCode, 200, 'a valid page');
  t.equal((await app.inject('/no-such-page')).statusCode, 404, 'a valid error page');
  await app.inject('/invalid-for-this-test');
  await app.inject({ url: '/fragment-for-this-test', headers: { 'hx-request': 'true' } });

  const failures: string[] = [];
  for (const teardown of teardowns) {
    try {
      await teardown();
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  t.equal(failures.length, 1, 'the test fails once, at its end');
  const [failure = ''] = failures;
  t.match(failure, /GET \/invalid-for-this-test → 200 \(page\), 2 HTML errors/, 'it names the request');
  t.match(failure, /line 5:6 tasters\/known-attribute: Attribute "hx-get" is not allowed on <div>\n\s+<div hx-get="\/x">x<\/div>/, 'the rule, line and source');
  t.match(failure, /line 6:23 no-dup-id: Duplicate ID "a"/, 'every error');
  t.match(failure, /GET \/fragment-for-this-test → 200 \(fragment\), 1 HTML error:\n {2}line 1:11 tasters\/valid-role/, 'fragments are checked too');
  t.notMatch(failure, /GET \/ |no-such-page/, 'valid pages, the 404 page among them, pass');
});
