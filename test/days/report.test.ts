import t from 'tap';
import { createOffer, createOrganisation, createReferralReport, createUser } from '../fixtures/builders.ts';
import { createDay } from '../fixtures/days.ts';
import { createDayFeedback, createDayRegistration } from '../fixtures/days-after.ts';
import { HOSTILE, HOSTILE_MARKUP } from '../fixtures/hostile.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading } from '../helper.ts';

/**
 * The coordinator's view of a day afterwards, checked against a day built by hand with every
 * figure worked out first: registrations and attendance by audience, tasters tried, confidence
 * change by activity, contacts shared, and referrals to the offers behind the tasters.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const choir = await createOrganisation(db, { name: 'Valley Choir' });
const singing = await createOffer(db, choir.id, { title: `Community choir ${HOSTILE}` });
const day = await createDay(db, { inDays: -10, bookingClosesAt: new Date(Date.now() - 20 * 86_400_000), linkWorkerPlaces: 4, culturalPlaces: 3 });
await db.updateTable('dayTasters').set({ offerId: singing.id, title: 'Singing taster' }).where('id', '=', day.tasters[0]!.id).execute();
const [singingTaster, origamiTaster] = [day.tasters[0]!, day.tasters[1]!];
const slot = day.slotId;
const lw = () => createUser(db, 'link_worker');
const staff = () => createUser(db, 'provider');

// Link workers: four with a place (three came, one did not), one waiting, one cancelled.
const [ana, ben, cat, dan, eve, fay] = [await lw(), await lw(), await lw(), await lw(), await lw(), await lw()];
const anaReg = await createDayRegistration(db, day.id, ana.id, {
  attendance: 'attended',
  shareEmail: true,
  choices: [{ tasterId: singingTaster.id, slotId: slot, attendance: 'attended' }],
});
const benReg = await createDayRegistration(db, day.id, ben.id, {
  attendance: 'attended',
  choices: [{ tasterId: singingTaster.id, slotId: slot, attendance: 'attended' }],
});
const catReg = await createDayRegistration(db, day.id, cat.id, {
  attendance: 'attended',
  shareEmail: true,
  choices: [{ tasterId: origamiTaster.id, slotId: slot, attendance: 'attended' }],
});
await createDayRegistration(db, day.id, dan.id, { attendance: 'no_show', choices: [{ tasterId: origamiTaster.id, slotId: slot, attendance: 'no_show' }] });
await createDayRegistration(db, day.id, eve.id, { status: 'waitlisted' });
await createDayRegistration(db, day.id, fay.id, { status: 'cancelled', shareEmail: true });
// Cultural-sector staff: two came, one tried the origami taster and shares their email.
const [gil, hal] = [await staff(), await staff()];
await createDayRegistration(db, day.id, gil.id, {
  audience: 'cultural',
  attendance: 'attended',
  shareEmail: true,
  choices: [{ tasterId: origamiTaster.id, slotId: slot, attendance: 'attended' }],
});
await createDayRegistration(db, day.id, hal.id, { audience: 'cultural', attendance: 'attended' });

// Feedback: on singing, Ana 2→8 and Ben 4→7 (change +4.5); on origami, Cat 5→5; on the day, Ana 3→9.
await createDayFeedback(db, anaReg.id, anaReg.choiceIds[0]!, { confidenceBefore: 2, confidenceAfter: 8, rating: 5 });
await createDayFeedback(db, benReg.id, benReg.choiceIds[0]!, { confidenceBefore: 4, confidenceAfter: 7, rating: 4 });
await createDayFeedback(db, catReg.id, catReg.choiceIds[0]!, { confidenceBefore: 5, confidenceAfter: 5, rating: 3 });
await createDayFeedback(db, anaReg.id, null, { confidenceBefore: 3, confidenceAfter: 9, rating: 5 });

// Weeks later: Ana refers 2 this month and 1 next; a link worker who never tried it does not count.
const thisMonth = new Date().toISOString().slice(0, 7);
await createReferralReport(db, ana.id, singing.id, thisMonth, 2);
await createReferralReport(db, eve.id, singing.id, thisMonth, 5);

/** The cells of the table whose row starts with `label`. */
function row(html: string, label: string): string[] {
  const found = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)]
    .map((m) => m[1]!)
    .find((r) =>
      r
        .replace(/<[^>]+>/g, '')
        .trim()
        .startsWith(label),
    );
  if (!found) return [];
  return [...found.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.trim());
}

t.test('the coordinator sees the day’s figures', async (t) => {
  const { visitor } = await signedIn(app, db, 'coordinator');
  const page = await visitor.get(`/days/${day.id}/report`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), (await db.selectFrom('tasterDays').select('title').where('id', '=', day.id).executeTakeFirstOrThrow()).title);
  // Places, registered, waiting, cancelled, attended, did not attend, shared their email.
  t.same(row(page.body, 'Link workers'), ['4', '4', '1', '1', '3', '1', '2']);
  t.same(row(page.body, 'Cultural-sector staff'), ['3', '2', '0', '0', '2', '0', '1']);
  // Tasters: places, chosen, waiting, tried by link workers, tried by cultural staff.
  t.same(row(page.body, 'Singing taster'), ['10', '2', '0', '2', '0']);
  t.same(row(page.body, 'Origami taster'), ['10', '3', '0', '1', '1']);
  // Confidence: feedback given, before, after, change, rating.
  t.same(row(page.body, 'The day as a whole'), ['1', '3.0', '9.0', '+6.0', '5.0']);
  const confidence = page.body.slice(page.body.indexOf('id="confidence"'));
  t.same(row(confidence, 'Singing taster'), ['2', '3.0', '7.5', '+4.5', '4.5']);
  t.same(row(confidence, 'Origami taster'), ['1', '5.0', '5.0', '0.0', '3.0']);
  t.same(row(confidence, 'Cartoon drawing taster'), ['0', 'No answers', 'No answers', 'No answers', 'No answers']);
  // Referrals: two link workers tried singing; one has referred since, twice.
  t.same(row(page.body, 'Community choir'), ['2', '1', '2']);
  for (const markup of HOSTILE_MARKUP) t.notOk(page.body.includes(markup), 'an offer’s title is shown as text');
});

t.test('only coordinators, and not for a draft', async (t) => {
  const link = await signedIn(app, db, 'link_worker');
  t.equal((await link.visitor.get(`/days/${day.id}/report`)).statusCode, 403);
  const provider = await signedIn(app, db, 'provider');
  t.equal((await provider.visitor.get(`/days/${day.id}/report`)).statusCode, 403);
  const draft = await createDay(db, { status: 'draft' });
  const { visitor } = await signedIn(app, db, 'coordinator');
  t.equal((await visitor.get(`/days/${draft.id}/report`)).statusCode, 404);
  const shown = await visitor.get(`/days/${day.id}`);
  t.match(shown.body, new RegExp(`href="/days/${day.id}/report"`));
});
