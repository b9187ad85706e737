import t from 'tap';
import { countConfirmed, fillFreedPlaces, lockTasterSession } from '../../src/capacity/places.ts';
import { createBooking, createTaster, createUser } from '../fixtures/builders.ts';
import { createTestDatabase } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

// Walk-ins are recorded at the door; they never take one of the places people booked.
t.test('a walk-in does not count against the places, nor block a promotion', async (t) => {
  const taster = await createTaster(db, { capacity: 2 });
  const [a, b, waiting, walker] = await Promise.all([
    createUser(db, 'link_worker'),
    createUser(db, 'link_worker'),
    createUser(db, 'link_worker'),
    createUser(db, 'link_worker'),
  ]);
  await createBooking(db, taster.sessionId, a.id, { status: 'confirmed' });
  const cancelled = await createBooking(db, taster.sessionId, b.id, { status: 'confirmed' });
  const queued = await createBooking(db, taster.sessionId, waiting.id, { status: 'waitlisted' });
  await createBooking(db, taster.sessionId, walker.id, { status: 'confirmed', isWalkIn: true, attendance: 'attended' });

  const counted = await db.transaction().execute((tx) => countConfirmed(tx, taster.sessionId));
  t.equal(counted, 2, 'two booked places; the walk-in is not one of them');

  const promoted = await db.transaction().execute(async (tx) => {
    await lockTasterSession(tx, taster.sessionId);
    await tx.updateTable('bookings').set({ status: 'cancelled', cancelledAt: new Date() }).where('id', '=', cancelled.id).execute();
    return fillFreedPlaces(tx, taster.sessionId, null);
  });
  t.same(
    promoted.map((p) => p.bookingId),
    [queued.id],
    'the freed place goes to the person waiting despite the walk-in',
  );
  const booked = await db
    .selectFrom('bookings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tasterSessionId', '=', taster.sessionId)
    .where('status', '=', 'confirmed')
    .where('isWalkIn', '=', false)
    .executeTakeFirstOrThrow();
  t.equal(Number(booked.n), 2, 'booked places never exceed the capacity');
});
