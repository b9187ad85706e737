import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/database.ts';
import { addDays, londonInstant, londonParts } from '../lib/london-time.ts';
import type { OrganisationKind } from '../organisations/tables.ts';
import type { OfferCategory, Weekday } from '../publishing/tables.ts';

/**
 * The demo area's published programme: venues, offers and taster sessions for each demo
 * organisation, with sessions over the past six weeks and the next six, counted from today, so
 * the demo always has something to book. Plain inserts: demo data is not anybody's action.
 */

type DemoVenue = {
  name: string;
  addressLine1: string;
  town: string;
  postcode: string;
  access: Array<'stepFree' | 'accessibleToilet' | 'hearingLoop' | 'seating' | 'parking' | 'quietSpace'>;
  accessNotes?: string;
  travelNotes?: string;
};

type DemoOffer = {
  title: string;
  category: OfferCategory;
  description: string;
  suits: string;
  day: Weekday;
  start: string;
  end: string;
  howToRefer: string;
  cost?: { amount?: string; note?: string };
  volunteeringRequirements?: string;
  online?: string;
  /** Tasters every week (the flagship offers) or every other week. */
  weekly?: boolean;
  capacity: number;
  whatToBring?: string;
};

type DemoProgramme = {
  organisation: string;
  kind?: OrganisationKind;
  description?: string;
  contactEmail?: string;
  venues: DemoVenue[];
  offers: DemoOffer[];
};

const programme: DemoProgramme[] = [
  {
    organisation: 'Riverside Museum',
    venues: [{ name: 'Main building', addressLine1: 'Broad Street', town: 'Oxford', postcode: 'OX1 3BG', access: ['stepFree', 'accessibleToilet', 'hearingLoop', 'seating', 'quietSpace'], accessNotes: 'The step-free entrance is on the side street (Museum Road). The hearing loop is in the education room.', travelNotes: 'Buses 1, 5 and 8 stop outside. The nearest car park is Westgate, 10 minutes away on foot.' }],
    offers: [
      { title: 'Object handling and conversation', category: 'heritage_museums', description: 'Hold objects from the collection — a Roman lamp, a Victorian flat iron, a wartime ration book — and talk about them over tea with a small group and a member of the learning team.', suits: 'Adults who are isolated or lonely, including people living with early-stage dementia and their carers.', day: 'TH', start: '14:00', end: '15:30', howToRefer: 'Email the learning team with the person\'s first name and a phone number. We call them to welcome them before their first visit.', weekly: true, capacity: 12, whatToBring: 'Wear comfortable shoes; tea provided.' },
      { title: 'Drawing in the galleries', category: 'drawing_painting', description: 'A relaxed drawing session in front of the paintings, led by a local artist. No experience needed.', suits: 'Adults of any drawing ability who would like a calm, creative couple of hours.', day: 'SA', start: '10:30', end: '12:00', howToRefer: 'Book through the museum\'s learning team by email.', cost: { amount: '3.00', note: 'Materials included; free for carers' }, capacity: 10 },
    ],
  },
  {
    organisation: 'Botanic Garden',
    venues: [{ name: 'Walled garden', addressLine1: 'Rose Lane', town: 'Oxford', postcode: 'OX1 4AZ', access: ['stepFree', 'accessibleToilet', 'seating'], accessNotes: 'Most paths are level gravel; wheelchairs are available to borrow at the gate.', travelNotes: 'Five minutes on foot from the High Street bus stops. No parking on site.' }],
    offers: [
      { title: 'Therapeutic gardening', category: 'gardening_nature', description: 'Sow, plant and harvest in the volunteer beds with our horticultural therapist, at your own pace.', suits: 'Adults with low mood or anxiety who would like to be outdoors; raised beds for people who cannot kneel.', day: 'WE', start: '10:00', end: '12:00', howToRefer: 'Phone or email the volunteer coordinator.', weekly: true, capacity: 8, whatToBring: 'Clothes you do not mind getting muddy. Gloves and tools provided.' },
      { title: 'Garden volunteering placement', category: 'volunteering', description: 'Join the volunteer team looking after the glasshouses and borders.', suits: 'Adults who would like regular, purposeful activity outdoors.', day: 'TU', start: '09:30', end: '12:30', howToRefer: 'Email the volunteer coordinator; we arrange an informal visit first.', volunteeringRequirements: 'A two-hour induction; at least three months, one morning a week. No checks needed.', capacity: 6 },
    ],
  },
  {
    organisation: 'Central Library',
    venues: [{ name: 'Central Library', addressLine1: 'Westgate', town: 'Oxford', postcode: 'OX1 1DJ', access: ['stepFree', 'accessibleToilet', 'hearingLoop', 'seating', 'quietSpace'], accessNotes: 'Lifts to every floor. The quiet room is on the second floor.' }],
    offers: [
      { title: 'Shared reading group', category: 'reading_writing', description: 'Short stories and poems read aloud together, with time to talk about them. Nobody has to read aloud.', suits: 'Adults who are lonely or recovering from illness; no reading ability expected.', day: 'MO', start: '11:00', end: '12:30', howToRefer: 'Email the events team or ask at the front desk.', weekly: true, capacity: 12 },
      { title: 'Creative writing for wellbeing', category: 'reading_writing', description: 'Gentle writing prompts and a supportive group, led by a published poet.', suits: 'Adults who would like to put their thoughts into words.', day: 'TH', start: '18:00', end: '19:30', howToRefer: 'Email the events team.', capacity: 10, whatToBring: 'A notebook if you have one; paper provided.' },
    ],
  },
  {
    organisation: 'Open Door Arts',
    venues: [{ name: 'St Mary\'s Hall', addressLine1: 'Cowley Road', town: 'Oxford', postcode: 'OX4 1HU', access: ['stepFree', 'accessibleToilet', 'seating', 'parking'], travelNotes: 'Buses 5 and 10. Small car park behind the hall.' }],
    offers: [
      { title: 'Singing for wellbeing', category: 'singing_music', description: 'Warm-ups, breathing and easy songs from memory or song sheets. Nobody sings alone.', suits: 'Adults with low mood, lung conditions or isolation. No singing experience needed.', day: 'TU', start: '14:00', end: '16:00', howToRefer: 'Email or phone us; people can also just turn up.', cost: { amount: '2.00', note: 'Pay what you can' }, weekly: true, capacity: 20 },
      { title: 'Seated dance', category: 'dance_movement', description: 'Dance to music from the 1950s to today, all from a chair.', suits: 'Older adults and people with limited mobility.', day: 'FR', start: '11:00', end: '12:00', howToRefer: 'Phone us to book a first visit.', capacity: 15 },
      { title: 'Origami and paper craft', category: 'arts_crafts', description: 'Fold cranes, boxes and flowers, step by step, in a friendly group.', suits: 'Adults who would like a calm, focused activity with others.', day: 'WE', start: '14:00', end: '15:30', howToRefer: 'Email us.', capacity: 10 },
    ],
  },
  {
    organisation: 'Northgate Gallery',
    kind: 'gallery',
    description: 'A contemporary art gallery with a programme of slow looking and creative sessions.',
    contactEmail: 'learning@northgate-gallery.example.org',
    venues: [{ name: 'Northgate Gallery', addressLine1: 'Cornmarket Street', town: 'Oxford', postcode: 'OX1 3HB', access: ['stepFree', 'accessibleToilet', 'seating', 'quietSpace'] }],
    offers: [
      { title: 'Slow looking', category: 'wellbeing_mindfulness', description: 'Spend an hour with one artwork: a guided, mindful way of looking and noticing.', suits: 'Adults with stress or anxiety.', day: 'WE', start: '11:00', end: '12:00', howToRefer: 'Email the learning team.', capacity: 12 },
      { title: 'Cartoon drawing', category: 'drawing_painting', description: 'Learn to draw simple characters and comic strips with a cartoonist.', suits: 'Adults of all abilities; good for people who think they cannot draw.', day: 'SA', start: '14:00', end: '15:30', howToRefer: 'Email the learning team.', capacity: 12 },
    ],
  },
  {
    organisation: 'Castle Mill Heritage Trust',
    kind: 'heritage',
    description: 'Volunteers who look after the castle mound, the mill and the canal-side archive.',
    contactEmail: 'hello@castle-mill.example.org',
    venues: [{ name: 'Castle Mill archive', addressLine1: 'Upper Fisher Row', town: 'Oxford', postcode: 'OX1 2EZ', access: ['seating'], accessNotes: 'Three steps at the entrance; a portable ramp is available if you tell us in advance.' }],
    offers: [
      { title: 'Heritage walk and talk', category: 'heritage_museums', description: 'A gentle one-mile walk along the canal with stops to hear stories of the mill.', suits: 'Adults who can walk a mile on level paths.', day: 'MO', start: '10:30', end: '12:00', howToRefer: 'Email us with a phone number.', capacity: 15, whatToBring: 'Shoes for walking and a coat if it looks like rain.' },
      { title: 'Archive volunteering', category: 'volunteering', description: 'Help catalogue photographs and letters in the archive.', suits: 'Adults who like careful, quiet work.', day: 'TH', start: '10:00', end: '13:00', howToRefer: 'Email us; we invite people for a chat first.', volunteeringRequirements: 'A short induction and a DBS basic check, which we pay for. Six months, one morning a week.', capacity: 4 },
    ],
  },
  {
    organisation: 'Cowley Community Centre',
    kind: 'community',
    description: 'A community centre run by local people, with daytime groups for all ages.',
    contactEmail: 'office@cowley-centre.example.org',
    venues: [{ name: 'Main hall', addressLine1: 'Barns Road', town: 'Oxford', postcode: 'OX4 3RQ', access: ['stepFree', 'accessibleToilet', 'hearingLoop', 'seating', 'parking'] }],
    offers: [
      { title: 'Chair yoga', category: 'wellbeing_mindfulness', description: 'Gentle stretches and breathing, seated or standing with a chair for support.', suits: 'Older adults and people with long-term conditions.', day: 'TH', start: '10:00', end: '11:00', howToRefer: 'Phone the centre office.', cost: { amount: '1.50' }, weekly: true, capacity: 16 },
      { title: 'Community choir', category: 'singing_music', description: 'An evening choir singing pop, folk and gospel, with no auditions.', suits: 'Adults who would like to meet people and sing.', day: 'MO', start: '18:30', end: '20:00', howToRefer: 'Email or turn up.', capacity: 25 },
    ],
  },
  {
    organisation: 'Headington Library',
    kind: 'library',
    description: 'A branch library with groups for making, reading and chatting.',
    contactEmail: 'headington.library@example.org',
    venues: [{ name: 'Headington Library', addressLine1: 'Bury Knowle Park', town: 'Oxford', postcode: 'OX3 9HY', access: ['stepFree', 'accessibleToilet', 'seating', 'parking'] }],
    offers: [
      { title: 'Knit and natter', category: 'arts_crafts', description: 'Bring your knitting or crochet, or learn from scratch, over a cup of tea.', suits: 'Anyone who would like company; beginners welcome.', day: 'FR', start: '14:00', end: '16:00', howToRefer: 'Ask at the library desk or email us.', capacity: 12, whatToBring: 'Needles and wool if you have them; we lend them if not.' },
      { title: 'Online poetry circle', category: 'reading_writing', description: 'Read and talk about a few poems together on a video call.', suits: 'Adults who cannot easily leave home.', day: 'TU', start: '19:00', end: '20:00', howToRefer: 'Email us; we send a short guide to joining the call.', online: 'Join on Microsoft Teams: the link is in your booking confirmation. Ring 01865 000000 if it does not work.', capacity: 10 },
    ],
  },
];

const weekdayNumber: Record<Weekday, number> = { MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6, SU: 7 };

/** The London dates of an offer's day of the week, from six weeks ago to six weeks ahead. */
function tasterDates(today: string, day: Weekday, everyDays: number): string[] {
  const start = addDays(today, -42);
  const weekday = new Date(`${start}T12:00:00Z`).getUTCDay() || 7;
  let date = addDays(start, (weekdayNumber[day] - weekday + 7) % 7);
  const dates: string[] = [];
  while (date <= addDays(today, 42)) {
    dates.push(date);
    date = addDays(date, everyDays);
  }
  return dates;
}

export async function seedPublishingDemo(tx: Tx, now = new Date()): Promise<void> {
  const today = londonParts(now).isoDate;
  for (const entry of programme) {
    let organisation = await tx.selectFrom('organisations').select('id').where('name', '=', entry.organisation).executeTakeFirst();
    organisation ??= await tx
      .insertInto('organisations')
      .values({ name: entry.organisation, kind: entry.kind ?? 'other', description: entry.description ?? '', contactEmail: entry.contactEmail ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const venueIds: string[] = [];
    for (const venue of entry.venues) {
      const flags = Object.fromEntries(venue.access.map((feature) => [feature, true]));
      const row = await tx
        .insertInto('venues')
        .values({ organisationId: organisation.id, name: venue.name, addressLine1: venue.addressLine1, town: venue.town, postcode: venue.postcode, accessNotes: venue.accessNotes ?? '', travelNotes: venue.travelNotes ?? '', ...flags })
        .returning('id')
        .executeTakeFirstOrThrow();
      venueIds.push(row.id);
    }
    for (const [index, offer] of entry.offers.entries()) {
      const venueId = offer.online ? null : venueIds[index % venueIds.length]!;
      const { id: offerId } = await tx
        .insertInto('offers')
        .values({
          organisationId: organisation.id,
          title: offer.title,
          category: offer.category,
          description: offer.description,
          suits: offer.suits,
          scheduleFrequency: 'weekly',
          scheduleDays: [offer.day],
          scheduleStartTime: offer.start,
          scheduleEndTime: offer.end,
          usualVenueId: venueId,
          isFree: !offer.cost,
          costAmount: offer.cost?.amount ?? null,
          costNote: offer.cost?.note ?? '',
          howToRefer: offer.howToRefer,
          referralEmail: entry.contactEmail ?? null,
          minAge: 18,
          volunteeringRequirements: offer.volunteeringRequirements ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const dates = tasterDates(today, offer.day, offer.weekly ? 7 : 14);
      const seriesId = randomUUID();
      const sessions = dates.map((date, i) => {
        const startsAt = londonInstant(date, offer.start)!;
        const upcoming = startsAt > now;
        // A little life in the demo: the last upcoming one is still a draft, one past session was cancelled.
        const status = upcoming && i === dates.length - 1 ? 'draft' : !upcoming && i === 1 && offer.weekly ? 'cancelled' : 'published';
        return {
          offerId,
          venueId,
          isOnline: Boolean(offer.online),
          joiningInstructions: offer.online ?? null,
          startsAt,
          endsAt: londonInstant(date, offer.end)!,
          capacity: offer.capacity,
          bookingClosesAt: new Date(startsAt.getTime() - 24 * 3_600_000),
          whatToBring: offer.whatToBring ?? '',
          status: status as 'draft' | 'published' | 'cancelled',
          cancellationReason: status === 'cancelled' ? 'The session leader was unwell. Sorry for the short notice.' : null,
          cancelledAt: status === 'cancelled' ? new Date(startsAt.getTime() - 48 * 3_600_000) : null,
          publishedAt: status === 'draft' ? null : new Date(startsAt.getTime() - 21 * 24 * 3_600_000),
          seriesId,
        };
      });
      await tx.insertInto('tasterSessions').values(sessions).execute();
    }
  }
}
