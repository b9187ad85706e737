import t from 'tap';
import { queueReferralPrompts } from '../../src/delivery/scheduled.ts';
import { referralPrompts } from '../../src/referrals/prompts.ts';
import { createOffer, createOrganisation, createReferralReport, createUser } from '../fixtures/builders.ts';
import { createDay } from '../fixtures/days.ts';
import { createDayRegistration } from '../fixtures/days-after.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';

/**
 * Referral prompts for the offers behind the tasters a link worker tried on a taster day, as after
 * a session: 4 and 12 weeks on, one per offer, not once they have recorded referrals to it, and not
 * for a taster they chose but were not marked as trying, nor one with no offer behind it.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const choir = await createOrganisation(db, { name: 'Valley Choir' });
const singing = await createOffer(db, choir.id, { title: 'Community choir' });
const museum = await createOrganisation(db, { name: 'Town Museum' });
const handling = await createOffer(db, museum.id, { title: 'Handling sessions' });

/** A day five weeks ago whose first taster is behind the choir's offer and second behind the museum's. */
async function dayFiveWeeksAgo() {
  const day = await createDay(db, { inDays: -35, bookingClosesAt: new Date(Date.now() - 40 * 86_400_000), tasterPlaces: [10, 10, 10] });
  await db.updateTable('dayTasters').set({ offerId: singing.id }).where('id', '=', day.tasters[0]!.id).execute();
  await db.updateTable('dayTasters').set({ offerId: handling.id }).where('id', '=', day.tasters[1]!.id).execute();
  return day;
}

t.test('a link worker who tried a day’s taster is asked about referrals to the offer behind it', async (t) => {
  const day = await dayFiveWeeksAgo();
  const { user, visitor } = await signedIn(app, db, 'link_worker');
  await createDayRegistration(db, day.id, user.id, {
    attendance: 'attended',
    choices: [{ tasterId: day.tasters[0]!.id, slotId: day.slotId, attendance: 'attended' }],
  });
  const prompts = await referralPrompts(db, user.id, new Date());
  t.match(prompts, [{ offerId: singing.id, offerTitle: 'Community choir', organisationName: 'Valley Choir', weeks: 4 }]);
  t.equal(prompts.length, 1);
  const page = await visitor.get('/my-bookings');
  t.match(page.body, /It is 4 weeks since you tried Community choir at Valley Choir/);
  t.match(page.body, new RegExp(`/referrals/new\\?offer=${singing.id}`));

  const context = { db, baseUrl: 'https://tasters.test', secret: 'a-secret-for-these-tests-only', now: new Date() };
  await queueReferralPrompts(context);
  const emails = await db
    .selectFrom('outboxMessages')
    .select(['subject', 'textBody'])
    .where('recipientId', '=', user.id)
    .where('kind', '=', 'referral_prompt')
    .execute();
  t.match(emails, [{ subject: 'Have you referred anyone to Community choir?' }]);

  // Once they record referrals to it, the question goes.
  await createReferralReport(db, user.id, singing.id, new Date().toISOString().slice(0, 7), 2);
  t.same(await referralPrompts(db, user.id, new Date()), []);
});

t.test('no prompt for a taster chosen but not tried, nor one with no offer behind it', async (t) => {
  const day = await dayFiveWeeksAgo();
  const chose = await createUser(db, 'link_worker');
  await createDayRegistration(db, day.id, chose.id, {
    attendance: 'attended',
    choices: [{ tasterId: day.tasters[1]!.id, slotId: day.slotId, attendance: 'no_show' }],
  });
  t.same(await referralPrompts(db, chose.id, new Date()), []);
  const noOffer = await createUser(db, 'link_worker');
  await createDayRegistration(db, day.id, noOffer.id, {
    attendance: 'attended',
    choices: [{ tasterId: day.tasters[2]!.id, slotId: day.slotId, attendance: 'attended' }],
  });
  t.same(await referralPrompts(db, noOffer.id, new Date()), []);
  const context = { db, baseUrl: 'https://tasters.test', secret: 'a-secret-for-these-tests-only', now: new Date() };
  await queueReferralPrompts(context);
  const emails = await db.selectFrom('outboxMessages').select('id').where('recipientId', 'in', [chose.id, noOffer.id]).execute();
  t.same(emails, []);
});
