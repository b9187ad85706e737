import t from 'tap';
import { applyRetention } from '../../src/privacy/retention.ts';
import { createUser } from '../fixtures/builders.ts';
import { createDay } from '../fixtures/days.ts';
import { createDayFeedback, createDayRegistration } from '../fixtures/days-after.ts';
import { createTestDatabase } from '../helper.ts';

/** Words given in feedback on a taster day are kept as long as the words of a session's feedback. */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const policy = { feedbackCommentsMonths: 24, auditMonths: 24, inactiveAccountMonths: 24, signInAttemptsDays: 90 };
const now = new Date();
const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);

t.test("a taster day's feedback loses its words after the feedback period; its scores stay", async (t) => {
  const person = await createUser(db, 'link_worker');
  const oldDay = await createDay(db, { inDays: -25 * 31 });
  const recentDay = await createDay(db, { inDays: -23 * 30 });
  const words = { comments: 'Loved the origami', referringEasier: 'A leaflet' };
  const old = await createDayRegistration(db, oldDay.id, person.id, { choices: [{ tasterId: oldDay.tasters[0]!.id, slotId: oldDay.slotId }] });
  const recent = await createDayRegistration(db, recentDay.id, person.id);
  await createDayFeedback(db, old.id, null, { ...words, submittedAt: ago(25 * 31) });
  await createDayFeedback(db, old.id, old.choiceIds[0]!, { ...words, rating: 5, submittedAt: ago(25 * 31) });
  await createDayFeedback(db, recent.id, null, { ...words, submittedAt: ago(23 * 30) });

  const first = await applyRetention(db, now, policy);
  t.equal(first.feedbackCommentsRemoved, 2, 'counted with the feedback comments');
  const rows = (registrationId: string) =>
    db.selectFrom('dayFeedback').select(['rating', 'comments', 'referringEasier']).where('registrationId', '=', registrationId).orderBy('rating').execute();
  t.same(await rows(old.id), [
    { rating: 4, comments: null, referringEasier: null },
    { rating: 5, comments: null, referringEasier: null },
  ]);
  t.same(await rows(recent.id), [{ rating: 4, ...words }], 'within the period, kept');
  t.equal((await applyRetention(db, now, policy)).feedbackCommentsRemoved, 0, 'once only');
});
