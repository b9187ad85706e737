import t from 'tap';
import { offerCategories } from '../../src/db/tables/publishing.ts';
import { isUuid, nameBasedUuid, serviceAtLocationId } from '../../src/openreferral/ids.ts';
import { type FeedVenue, mapLocation } from '../../src/openreferral/location-mapping.ts';
import { eligibilityText, type FeedOffer, feesText, mapCostOptions, mapService, page, publicEmail, publicWebsite } from '../../src/openreferral/mapping.ts';
import { mapSchedule, type ScheduleFields } from '../../src/openreferral/schedule.ts';
import { categoryForTermId, taxonomyId, taxonomyTermId, taxonomyTerms } from '../../src/openreferral/taxonomy.ts';

const OFFER_ID = '0b6f3c1e-5d2a-4f7e-9c11-2a3b4c5d6e7f';
const LINK = `https://tasters.example.org/find?offer=${OFFER_ID}`;
const context = { scheduleLink: LINK, attendingType: 'In person', nextSessionStart: null };

function schedule(values: Partial<ScheduleFields>): ScheduleFields {
  return {
    id: OFFER_ID,
    scheduleFrequency: 'weekly',
    scheduleDays: [],
    scheduleWeekOfMonth: null,
    scheduleStartTime: null,
    scheduleEndTime: null,
    scheduleNote: '',
    ...values,
  };
}

t.test('a weekly offer on Tuesdays and Thursdays, 2pm to 3:30pm', async (t) => {
  const result = mapSchedule(
    schedule({ scheduleDays: ['TH', 'TU'], scheduleStartTime: '14:00:00', scheduleEndTime: '15:30:00', scheduleNote: 'Not in August' }),
    context,
  );
  t.match(result, {
    service_id: OFFER_ID,
    freq: 'WEEKLY',
    interval: 1,
    byday: 'TU,TH',
    opens_at: '14:00:00',
    closes_at: '15:30:00',
    description: 'Weekly on Tuesdays and Thursdays, 2pm to 3:30pm. Not in August.',
    schedule_link: LINK,
    attending_type: 'In person',
    notes: 'Times are UK time (Europe/London).',
  });
  t.ok(isUuid(result!.id));
  t.notOk('dtstart' in result!, 'a weekly pattern needs no first date');
  t.notOk('bymonthday' in result!);
});

t.test('a fortnightly offer repeats every second week from its next taster', async (t) => {
  // 23:30 on Wednesday 31 March 2027 in UTC is 00:30 on Thursday 1 April in London (summer time).
  const result = mapSchedule(schedule({ scheduleFrequency: 'fortnightly', scheduleDays: ['TH'], scheduleStartTime: '00:30', scheduleEndTime: '02:00' }), {
    ...context,
    nextSessionStart: new Date('2027-03-31T23:30:00Z'),
  });
  t.match(result, { freq: 'WEEKLY', interval: 2, byday: 'TH', dtstart: '2027-04-01', opens_at: '00:30:00', closes_at: '02:00:00' });
  t.equal(result!.description, 'Fortnightly on Thursdays, 12:30am to 2am.');

  const offPattern = mapSchedule(schedule({ scheduleFrequency: 'fortnightly', scheduleDays: ['WE'] }), {
    ...context,
    nextSessionStart: new Date('2027-03-31T23:30:00Z'),
  });
  t.notOk('dtstart' in offPattern!, 'a taster on another day is not taken as the first date');
});

t.test('a monthly offer on the last Friday', async (t) => {
  const result = mapSchedule(
    schedule({ scheduleFrequency: 'monthly', scheduleDays: ['FR'], scheduleWeekOfMonth: -1, scheduleStartTime: '11:00:00', scheduleEndTime: '12:30:00' }),
    context,
  );
  t.match(result, { freq: 'MONTHLY', interval: 1, byday: '-1FR', opens_at: '11:00:00', closes_at: '12:30:00' });
  t.equal(result!.description, 'The last Friday of each month, 11am to 12:30pm.');

  const second = mapSchedule(schedule({ scheduleFrequency: 'monthly', scheduleDays: ['MO', 'WE'], scheduleWeekOfMonth: 2 }), context);
  t.equal(second!.byday, '2MO,2WE');
  t.equal(second!.description, 'The second Monday and Wednesday of each month.');
  t.notOk('notes' in second!, 'no times, no note about the clock');

  // MONTHLY with a bare FR would mean every Friday: without a week the days stay in the words.
  const loose = mapSchedule(schedule({ scheduleFrequency: 'monthly', scheduleDays: ['FR'] }), context);
  t.equal(loose!.freq, 'MONTHLY');
  t.notOk('byday' in loose!);
  t.equal(loose!.description, 'Once a month, on a Friday.');
});

t.test('an offer with only a note, or nothing at all, about when it runs', async (t) => {
  const noted = mapSchedule(schedule({ scheduleFrequency: null, scheduleNote: 'Dates agreed with each person.' }), { ...context, attendingType: null });
  t.same(noted, { id: noted!.id, service_id: OFFER_ID, description: 'Dates agreed with each person.', schedule_link: LINK });
  t.equal(mapSchedule(schedule({ scheduleFrequency: null }), context), null);
});

t.test('cost options in pounds sterling', async (t) => {
  const free = mapCostOptions({ id: OFFER_ID, isFree: true, costAmount: null, costNote: '' });
  t.match(free, [{ service_id: OFFER_ID, option: 'Free', amount: 0, currency: 'GBP', amount_description: 'Free of charge' }]);
  t.ok(isUuid(free[0]!.id as string));

  const charged = mapCostOptions({ id: OFFER_ID, isFree: false, costAmount: 3.5, costNote: 'per session, tea included' });
  t.same(charged, [{ id: free[0]!.id, service_id: OFFER_ID, amount: 3.5, currency: 'GBP', amount_description: 'per session, tea included' }]);

  const noteOnly = mapCostOptions({ id: OFFER_ID, isFree: false, costAmount: null, costNote: 'Pay what you can' });
  t.same(noteOnly, [{ id: free[0]!.id, service_id: OFFER_ID, amount_description: 'Pay what you can' }]);
  t.same(mapCostOptions({ id: OFFER_ID, isFree: false, costAmount: null, costNote: '' }), []);

  t.equal(feesText({ isFree: true, costAmount: null, costNote: '' }), 'Free');
  t.equal(feesText({ isFree: true, costAmount: null, costNote: 'Donations welcome' }), 'Free. Donations welcome');
  t.equal(feesText({ isFree: false, costAmount: 3.5, costNote: 'per session' }), '£3.50 per session');
  t.equal(feesText({ isFree: false, costAmount: 12, costNote: '' }), '£12.00');
});

t.test('eligibility from who it suits and the ages', async (t) => {
  t.equal(eligibilityText({ suits: 'Adults who feel isolated', minAge: 18, maxAge: 65 }), 'Adults who feel isolated. Ages 18 to 65.');
  t.equal(eligibilityText({ suits: '', minAge: 16, maxAge: null }), 'Ages 16 and over.');
  t.equal(eligibilityText({ suits: 'Carers.', minAge: null, maxAge: 25 }), 'Carers. Ages up to 25.');
  t.equal(eligibilityText({ suits: '', minAge: null, maxAge: null }), '');
});

t.test('emails and websites are published only when a reader can use them', async (t) => {
  t.equal(publicEmail(' learning@museum.org.uk '), 'learning@museum.org.uk');
  t.equal(publicEmail('learning at museum'), undefined);
  t.equal(publicWebsite('www.museum.org.uk'), 'https://www.museum.org.uk/');
  t.equal(publicWebsite('http://garden.example/visit us'), 'http://garden.example/visit%20us');
  t.equal(publicWebsite('javascript:alert(1)'), undefined);
  t.equal(publicWebsite('localhost'), undefined);
});

const venue: FeedVenue = {
  id: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  name: 'Main building',
  addressLine1: 'Parks Road',
  addressLine2: 'Entrance on South Parks Road',
  town: 'Oxford',
  postcode: 'OX1 3PW',
  latitude: null,
  longitude: null,
  stepFree: true,
  accessibleToilet: false,
  hearingLoop: true,
  seating: false,
  parking: false,
  quietSpace: true,
  travelNotes: '',
  accessNotes: 'Ramp at the side door.',
};

t.test('a venue becomes a location with its address and access', async (t) => {
  const location = mapLocation(venue) as { addresses: Array<Record<string, unknown>>; accessibility: Array<{ description: string }> };
  t.notOk('latitude' in location, 'no coordinates when the venue has none');
  t.match(location.addresses, [
    { address_1: 'Parks Road, Entrance on South Parks Road', city: 'Oxford', postal_code: 'OX1 3PW', country: 'GB', address_type: 'physical' },
  ]);
  t.same(
    location.accessibility.map((entry) => entry.description),
    ['Step-free access', 'Hearing loop', 'Quiet space', 'Ramp at the side door.'],
  );
  t.match(mapLocation({ ...venue, latitude: 51.75, longitude: -1.25 }), { latitude: 51.75, longitude: -1.25 });
});

t.test('an online-only offer has no locations but an online service area', async (t) => {
  const offer: FeedOffer = {
    ...schedule({ scheduleFrequency: null }),
    organisationId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    title: 'Reading group online',
    category: 'reading_writing',
    description: 'A reading group that meets by video.',
    suits: '',
    isFree: true,
    costAmount: null,
    costNote: '',
    howToRefer: 'Email us.',
    referralEmail: null,
    referralPhone: null,
    minAge: null,
    maxAge: null,
    status: 'active',
    lastModified: new Date('2026-11-20T10:00:00Z'),
    organisation: { id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', name: 'Library', description: '', website: null, contactEmail: null, contactPhone: null },
  };
  const service = mapService(offer, [], { nextStartsAt: new Date('2026-12-01T18:00:00Z'), online: true }, { baseUrl: 'https://tasters.example.org' });
  t.same(service.service_at_locations, []);
  t.match(service.service_areas, [{ name: 'Online' }]);
  t.equal(service.url, `https://tasters.example.org/activities/${OFFER_ID}`, 'the public page, not the find page that needs signing in');
  t.match(service.attributes, [{ link_id: OFFER_ID, taxonomy_term: { code: 'reading_writing', name: 'Reading and writing' } }]);
  t.notOk('email' in service, 'no email when neither the offer nor the organisation gives one');
});

t.test('ids are stable name-based UUIDs', async (t) => {
  // Published test vectors (RFC 9562 examples, as Python's uuid module computes them).
  const dns = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
  t.equal(nameBasedUuid(dns, 'python.org', 5), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  t.equal(nameBasedUuid(dns, 'python.org', 3), '6fa459ea-ee8a-3ca4-894e-db77e160355e');
  // Published in the feed: these must never change.
  t.equal(taxonomyId, '5d83a216-dc3c-541a-9105-9c299cdf073f');
  t.equal(taxonomyTermId('singing_music'), '1bf6f1e3-da63-5fed-a846-29a6da2fb907');
  t.equal(serviceAtLocationId(OFFER_ID, venue.id), serviceAtLocationId(OFFER_ID.toUpperCase(), venue.id));
  t.not(serviceAtLocationId(OFFER_ID, venue.id), serviceAtLocationId(venue.id, OFFER_ID));

  const terms = taxonomyTerms('https://tasters.example.org');
  t.equal(new Set(terms.map((term) => term.id)).size, offerCategories.length, 'one distinct term per category');
  for (const category of offerCategories) t.equal(categoryForTermId(taxonomyTermId(category)), category);
  t.equal(categoryForTermId(taxonomyId), undefined);
});

t.test('the page envelope', async (t) => {
  t.same(page(['g', 'h'], 8, 2, 3), {
    total_items: 8,
    total_pages: 3,
    page_number: 2,
    size: 2,
    first_page: false,
    last_page: false,
    empty: false,
    contents: ['g', 'h'],
  });
  t.match(page([], 0, 1, 50), { total_pages: 0, first_page: true, last_page: true, empty: true, size: 0 });
  t.match(page([], 8, 9, 3), { last_page: true, empty: true });
});
