import type { Insertable } from 'kysely';
import type { Queryable } from '../../src/db/database.ts';
import type { OrganisationsTable } from '../../src/db/tables/organisations.ts';
import type { OffersTable, TasterSessionsTable, VenuesTable } from '../../src/db/tables/publishing.ts';

// Builders for the feed's tests: rows inserted directly, as the publishing pages would leave them.
let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;
const DAY = 24 * 60 * 60 * 1000;

export async function createOrganisation(db: Queryable, values: Partial<Insertable<OrganisationsTable>> = {}) {
  return db
    .insertInto('organisations')
    .values({
      name: `Museum ${unique()}`,
      kind: 'museum',
      description: 'A museum of the city and its people.',
      website: 'https://museum.example.org.uk',
      contactEmail: 'learning@museum.example.org.uk',
      contactPhone: '01865 000000',
      ...values,
    })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
}

export async function createVenue(db: Queryable, organisationId: string, values: Partial<Insertable<VenuesTable>> = {}) {
  return db
    .insertInto('venues')
    .values({
      organisationId,
      name: `Main building ${unique()}`,
      addressLine1: 'Parks Road',
      town: 'Oxford',
      postcode: 'OX1 3PW',
      latitude: 51.7586,
      longitude: -1.2554,
      stepFree: true,
      accessibleToilet: true,
      hearingLoop: true,
      seating: true,
      accessNotes: 'Step-free entrance on the side street.',
      travelNotes: 'Buses 5 and 8 stop outside.',
      ...values,
    })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
}

export async function createOffer(db: Queryable, organisationId: string, values: Partial<Insertable<OffersTable>> = {}) {
  return db
    .insertInto('offers')
    .values({
      organisationId,
      title: `Object handling ${unique()}`,
      category: 'heritage_museums',
      description: 'Handle objects from the collection and talk about them over tea.',
      suits: 'Adults who feel isolated',
      scheduleFrequency: 'weekly',
      scheduleDays: ['TH'],
      scheduleStartTime: '14:00',
      scheduleEndTime: '15:30',
      howToRefer: 'Email the learning team with the person’s first name and a phone number.',
      referralEmail: 'learning@museum.example.org.uk',
      ...values,
    })
    .returning(['id', 'title'])
    .executeTakeFirstOrThrow();
}

/** A taster of an offer, by default published and a week away, at a venue or online. */
export async function createSession(
  db: Queryable,
  offerId: string,
  values: Partial<Insertable<TasterSessionsTable>> & { inDays?: number } = {},
) {
  const { inDays = 7, ...rest } = values;
  const startsAt = new Date(Date.now() + inDays * DAY);
  return db
    .insertInto('tasterSessions')
    .values({
      offerId,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 90 * 60 * 1000),
      bookingClosesAt: new Date(startsAt.getTime() - DAY),
      capacity: 12,
      status: 'published',
      publishedAt: new Date(),
      ...rest,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/** A small area like the demo: two organisations publishing, weekly, fortnightly, monthly and online offers. */
export async function createDemoLikeArea(db: Queryable) {
  const museum = await createOrganisation(db, { name: `City Museum ${unique()}` });
  const garden = await createOrganisation(db, { name: `Botanic Garden ${unique()}`, kind: 'garden', website: 'botanic.example.org.uk', contactPhone: null });
  const gallery = await venueAndOffer(db, museum.id);
  const greenhouse = await createVenue(db, garden.id, { name: 'Glasshouses', latitude: null, longitude: null, addressLine2: 'Rose Lane', stepFree: false, parking: true, quietSpace: true, accessNotes: '' });
  const singing = await createOffer(db, museum.id, {
    title: 'Singing for wellbeing',
    category: 'singing_music',
    scheduleFrequency: 'weekly',
    scheduleDays: ['TU', 'TH'],
    scheduleStartTime: '14:00',
    scheduleEndTime: '15:30',
    scheduleNote: 'Not in August',
    usualVenueId: gallery.venue.id,
    isFree: false,
    costAmount: '3.50',
    costNote: 'per session, tea included',
    minAge: 18,
  });
  const gardening = await createOffer(db, garden.id, {
    title: 'Gardening together',
    category: 'gardening_nature',
    scheduleFrequency: 'fortnightly',
    scheduleDays: ['WE'],
    scheduleStartTime: '10:00',
    scheduleEndTime: '12:00',
    usualVenueId: greenhouse.id,
    referralEmail: null,
    referralPhone: '01865 111111',
    minAge: 16,
    maxAge: 99,
  });
  const drawing = await createOffer(db, museum.id, {
    title: 'Drawing in the galleries',
    category: 'drawing_painting',
    scheduleFrequency: 'monthly',
    scheduleDays: ['FR'],
    scheduleWeekOfMonth: -1,
    scheduleStartTime: '11:00',
    scheduleEndTime: '12:30',
    usualVenueId: null,
  });
  await createSession(db, drawing.id, { venueId: gallery.venue.id });
  const reading = await createOffer(db, garden.id, {
    title: 'Reading group online',
    category: 'reading_writing',
    scheduleFrequency: null,
    scheduleDays: [],
    scheduleStartTime: null,
    scheduleEndTime: null,
    usualVenueId: null,
    isFree: false,
    costAmount: null,
    costNote: 'Pay what you can',
  });
  await createSession(db, reading.id, { isOnline: true, venueId: null, joiningInstructions: 'A link is sent the day before.' });
  await createSession(db, gardening.id, { venueId: greenhouse.id });
  return { museum, garden, gallery: gallery.venue, greenhouse, handling: gallery.offer, singing, gardening, drawing, reading };
}

async function venueAndOffer(db: Queryable, organisationId: string) {
  const venue = await createVenue(db, organisationId);
  const offer = await createOffer(db, organisationId, { usualVenueId: venue.id });
  return { venue, offer };
}
