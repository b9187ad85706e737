import type { Tx } from '../db/database.ts';
import type { OrganisationKind } from '../db/tables/organisations.ts';
import type { OfferCategory, Weekday } from '../db/tables/publishing.ts';
import { must } from './must.ts';

/**
 * The demo area's organisations, their venues and their offers. Each offer says how often it runs
 * a taster for link workers (every six to twelve weeks, on the offer's usual day and time) and how
 * many places a taster has: a handful of link workers at a time, not the size of the real group.
 */

type AccessFeature = 'stepFree' | 'accessibleToilet' | 'hearingLoop' | 'seating' | 'parking' | 'quietSpace';

type DemoVenue = { name: string; addressLine1: string; town: string; postcode: string; access: AccessFeature[]; accessNotes?: string; travelNotes?: string };

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
  whatToBring?: string;
  tasters: { everyWeeks: 6 | 8 | 12; places: number /** The share of places link workers usually take. */; demand: number };
};

type DemoOrganisation = {
  name: string;
  kind: OrganisationKind;
  description: string;
  website: string;
  contactEmail: string;
  venues: DemoVenue[];
  offers: DemoOffer[];
};

const catalogue: DemoOrganisation[] = [
  {
    name: 'Riverside Museum',
    kind: 'museum',
    description: 'City museum of local history, with a learning team that runs object handling and reminiscence sessions.',
    website: 'https://example.org/riverside-museum',
    contactEmail: 'learning@riverside-museum.example.org',
    venues: [
      {
        name: 'Main building',
        addressLine1: 'Broad Street',
        town: 'Oxford',
        postcode: 'OX1 3BG',
        access: ['stepFree', 'accessibleToilet', 'hearingLoop', 'seating', 'quietSpace'],
        accessNotes: 'The step-free entrance is on the side street (Museum Road). The hearing loop is in the education room.',
        travelNotes: 'Buses 1, 5 and 8 stop outside. The nearest car park is Westgate, 10 minutes away on foot.',
      },
    ],
    offers: [
      {
        title: 'Object handling and conversation',
        category: 'heritage_museums',
        description:
          'Hold objects from the collection — a Roman lamp, a Victorian flat iron, a wartime ration book — and talk about them over tea with a small group and a member of the learning team.',
        suits: 'Adults who are isolated or lonely, including people living with early-stage dementia and their carers.',
        day: 'TH',
        start: '14:00',
        end: '15:30',
        howToRefer: "Email the learning team with the person's first name and a phone number. We call them to welcome them before their first visit.",
        whatToBring: 'Wear comfortable shoes; tea provided.',
        tasters: { everyWeeks: 6, places: 10, demand: 0.6 },
      },
      {
        title: 'Drawing in the galleries',
        category: 'drawing_painting',
        description: 'A relaxed drawing session in front of the paintings, led by a local artist. No experience needed.',
        suits: 'Adults of any drawing ability who would like a calm, creative couple of hours.',
        day: 'SA',
        start: '10:30',
        end: '12:00',
        howToRefer: "Book through the museum's learning team by email.",
        cost: { amount: '3.00', note: 'Materials included; free for carers' },
        tasters: { everyWeeks: 8, places: 8, demand: 0.45 },
      },
    ],
  },
  {
    name: 'Botanic Garden',
    kind: 'garden',
    description: 'Historic walled garden with glasshouses and a volunteer gardening programme.',
    website: 'https://example.org/botanic-garden',
    contactEmail: 'volunteer@botanic-garden.example.org',
    venues: [
      {
        name: 'Walled garden',
        addressLine1: 'Rose Lane',
        town: 'Oxford',
        postcode: 'OX1 4AZ',
        access: ['stepFree', 'accessibleToilet', 'seating'],
        accessNotes: 'Most paths are level gravel; wheelchairs are available to borrow at the gate.',
        travelNotes: 'Five minutes on foot from the High Street bus stops. No parking on site.',
      },
    ],
    offers: [
      {
        title: 'Therapeutic gardening',
        category: 'gardening_nature',
        description: 'Sow, plant and harvest in the volunteer beds with our horticultural therapist, at your own pace.',
        suits: 'Adults with low mood or anxiety who would like to be outdoors; raised beds for people who cannot kneel.',
        day: 'WE',
        start: '10:00',
        end: '12:00',
        howToRefer: 'Phone or email the volunteer coordinator.',
        whatToBring: 'Clothes you do not mind getting muddy. Gloves and tools provided.',
        tasters: { everyWeeks: 6, places: 8, demand: 0.55 },
      },
      {
        title: 'Garden volunteering placement',
        category: 'volunteering',
        description: 'Join the volunteer team looking after the glasshouses and borders.',
        suits: 'Adults who would like regular, purposeful activity outdoors.',
        day: 'TU',
        start: '09:30',
        end: '12:30',
        howToRefer: 'Email the volunteer coordinator; we arrange an informal visit first.',
        volunteeringRequirements: 'A two-hour induction; at least three months, one morning a week. No checks needed.',
        tasters: { everyWeeks: 12, places: 6, demand: 0.4 },
      },
    ],
  },
  {
    name: 'Central Library',
    kind: 'library',
    description: 'The town centre library: reading groups, creative writing and digital help.',
    website: 'https://example.org/central-library',
    contactEmail: 'events@central-library.example.org',
    venues: [
      {
        name: 'Central Library',
        addressLine1: 'Westgate',
        town: 'Oxford',
        postcode: 'OX1 1DJ',
        access: ['stepFree', 'accessibleToilet', 'hearingLoop', 'seating', 'quietSpace'],
        accessNotes: 'Lifts to every floor. The quiet room is on the second floor.',
      },
    ],
    offers: [
      {
        title: 'Shared reading group',
        category: 'reading_writing',
        description: 'Short stories and poems read aloud together, with time to talk about them. Nobody has to read aloud.',
        suits: 'Adults who are lonely or recovering from illness; no reading ability expected.',
        day: 'MO',
        start: '11:00',
        end: '12:30',
        howToRefer: 'Email the events team or ask at the front desk.',
        tasters: { everyWeeks: 6, places: 10, demand: 0.45 },
      },
      {
        title: 'Creative writing for wellbeing',
        category: 'reading_writing',
        description: 'Gentle writing prompts and a supportive group, led by a published poet.',
        suits: 'Adults who would like to put their thoughts into words.',
        day: 'TH',
        start: '18:00',
        end: '19:30',
        howToRefer: 'Email the events team.',
        whatToBring: 'A notebook if you have one; paper provided.',
        tasters: { everyWeeks: 12, places: 8, demand: 0.35 },
      },
    ],
  },
  {
    name: 'Open Door Arts',
    kind: 'arts',
    description: 'Community arts group running singing, dance and drawing groups across the town.',
    website: 'https://example.org/open-door-arts',
    contactEmail: 'hello@open-door-arts.example.org',
    venues: [
      {
        name: "St Mary's Hall",
        addressLine1: 'Cowley Road',
        town: 'Oxford',
        postcode: 'OX4 1HU',
        access: ['stepFree', 'accessibleToilet', 'seating', 'parking'],
        travelNotes: 'Buses 5 and 10. Small car park behind the hall.',
      },
    ],
    offers: [
      {
        title: 'Singing for wellbeing',
        category: 'singing_music',
        description: 'Warm-ups, breathing and easy songs from memory or song sheets. Nobody sings alone.',
        suits: 'Adults with low mood, lung conditions or isolation. No singing experience needed.',
        day: 'TU',
        start: '14:00',
        end: '16:00',
        howToRefer: 'Email or phone us; people can also just turn up.',
        cost: { amount: '2.00', note: 'Pay what you can' },
        tasters: { everyWeeks: 6, places: 12, demand: 0.65 },
      },
      {
        title: 'Seated dance',
        category: 'dance_movement',
        description: 'Dance to music from the 1950s to today, all from a chair.',
        suits: 'Older adults and people with limited mobility.',
        day: 'FR',
        start: '11:00',
        end: '12:00',
        howToRefer: 'Phone us to book a first visit.',
        tasters: { everyWeeks: 8, places: 10, demand: 0.5 },
      },
      {
        title: 'Origami and paper craft',
        category: 'arts_crafts',
        description: 'Fold cranes, boxes and flowers, step by step, in a friendly group.',
        suits: 'Adults who would like a calm, focused activity with others.',
        day: 'WE',
        start: '14:00',
        end: '15:30',
        howToRefer: 'Email us.',
        tasters: { everyWeeks: 8, places: 8, demand: 0.5 },
      },
    ],
  },
  {
    name: 'Northgate Gallery',
    kind: 'gallery',
    description: 'A contemporary art gallery with a programme of slow looking and creative sessions.',
    website: 'https://example.org/northgate-gallery',
    contactEmail: 'learning@northgate-gallery.example.org',
    venues: [
      {
        name: 'Northgate Gallery',
        addressLine1: 'Cornmarket Street',
        town: 'Oxford',
        postcode: 'OX1 3HB',
        access: ['stepFree', 'accessibleToilet', 'seating', 'quietSpace'],
      },
    ],
    offers: [
      {
        title: 'Slow looking',
        category: 'wellbeing_mindfulness',
        description: 'Spend an hour with one artwork: a guided, mindful way of looking and noticing.',
        suits: 'Adults with stress or anxiety.',
        day: 'WE',
        start: '11:00',
        end: '12:00',
        howToRefer: 'Email the learning team.',
        tasters: { everyWeeks: 6, places: 10, demand: 0.5 },
      },
      {
        title: 'Cartoon drawing',
        category: 'drawing_painting',
        description: 'Learn to draw simple characters and comic strips with a cartoonist.',
        suits: 'Adults of all abilities; good for people who think they cannot draw.',
        day: 'SA',
        start: '14:00',
        end: '15:30',
        howToRefer: 'Email the learning team.',
        tasters: { everyWeeks: 8, places: 10, demand: 0.4 },
      },
    ],
  },
  {
    name: 'Castle Mill Heritage Trust',
    kind: 'heritage',
    description: 'Volunteers who look after the castle mound, the mill and the canal-side archive.',
    website: 'https://example.org/castle-mill',
    contactEmail: 'hello@castle-mill.example.org',
    venues: [
      {
        name: 'Castle Mill archive',
        addressLine1: 'Upper Fisher Row',
        town: 'Oxford',
        postcode: 'OX1 2EZ',
        access: ['seating'],
        accessNotes: 'Three steps at the entrance; a portable ramp is available if you tell us in advance.',
      },
    ],
    offers: [
      {
        title: 'Heritage walk and talk',
        category: 'heritage_museums',
        description: 'A gentle one-mile walk along the canal with stops to hear stories of the mill.',
        suits: 'Adults who can walk a mile on level paths.',
        day: 'MO',
        start: '10:30',
        end: '12:00',
        howToRefer: 'Email us with a phone number.',
        whatToBring: 'Shoes for walking and a coat if it looks like rain.',
        tasters: { everyWeeks: 6, places: 10, demand: 0.45 },
      },
      {
        title: 'Archive volunteering',
        category: 'volunteering',
        description: 'Help catalogue photographs and letters in the archive.',
        suits: 'Adults who like careful, quiet work.',
        day: 'TH',
        start: '10:00',
        end: '13:00',
        howToRefer: 'Email us; we invite people for a chat first.',
        volunteeringRequirements: 'A short induction and a DBS basic check, which we pay for. Six months, one morning a week.',
        tasters: { everyWeeks: 12, places: 4, demand: 0.6 },
      },
    ],
  },
  {
    name: 'Cowley Community Centre',
    kind: 'community',
    description: 'A community centre run by local people, with daytime groups for all ages.',
    website: 'https://example.org/cowley-centre',
    contactEmail: 'office@cowley-centre.example.org',
    venues: [
      {
        name: 'Main hall',
        addressLine1: 'Barns Road',
        town: 'Oxford',
        postcode: 'OX4 3RQ',
        access: ['stepFree', 'accessibleToilet', 'hearingLoop', 'seating', 'parking'],
      },
    ],
    offers: [
      {
        title: 'Chair yoga',
        category: 'wellbeing_mindfulness',
        description: 'Gentle stretches and breathing, seated or standing with a chair for support.',
        suits: 'Older adults and people with long-term conditions.',
        day: 'TH',
        start: '10:00',
        end: '11:00',
        howToRefer: 'Phone the centre office.',
        cost: { amount: '1.50' },
        tasters: { everyWeeks: 6, places: 10, demand: 0.5 },
      },
      {
        title: 'Community choir',
        category: 'singing_music',
        description: 'An evening choir singing pop, folk and gospel, with no auditions.',
        suits: 'Adults who would like to meet people and sing.',
        day: 'MO',
        start: '18:30',
        end: '20:00',
        howToRefer: 'Email or turn up.',
        tasters: { everyWeeks: 8, places: 12, demand: 0.35 },
      },
    ],
  },
  {
    name: 'Headington Library',
    kind: 'library',
    description: 'A branch library with groups for making, reading and chatting.',
    website: 'https://example.org/headington-library',
    contactEmail: 'headington.library@example.org',
    venues: [
      {
        name: 'Headington Library',
        addressLine1: 'Bury Knowle Park',
        town: 'Oxford',
        postcode: 'OX3 9HY',
        access: ['stepFree', 'accessibleToilet', 'seating', 'parking'],
      },
    ],
    offers: [
      {
        title: 'Knit and natter',
        category: 'arts_crafts',
        description: 'Bring your knitting or crochet, or learn from scratch, over a cup of tea.',
        suits: 'Anyone who would like company; beginners welcome.',
        day: 'FR',
        start: '14:00',
        end: '16:00',
        howToRefer: 'Ask at the library desk or email us.',
        whatToBring: 'Needles and wool if you have them; we lend them if not.',
        tasters: { everyWeeks: 6, places: 8, demand: 0.45 },
      },
      {
        title: 'Online poetry circle',
        category: 'reading_writing',
        description: 'Read and talk about a few poems together on a video call.',
        suits: 'Adults who cannot easily leave home.',
        day: 'TU',
        start: '19:00',
        end: '20:00',
        howToRefer: 'Email us; we send a short guide to joining the call.',
        online: 'Join on Microsoft Teams: the link is in your booking confirmation. Ring 01865 000000 if it does not work.',
        tasters: { everyWeeks: 12, places: 8, demand: 0.35 },
      },
    ],
  },
];

/** An offer as the rest of the demo needs it: where and when its tasters run, and how popular they are. */
export type DemoOfferRecord = {
  id: string;
  organisation: string;
  title: string;
  category: OfferCategory;
  isFree: boolean;
  day: Weekday;
  start: string;
  end: string;
  venueId: string | null;
  online: string | null;
  whatToBring: string;
  everyWeeks: number;
  places: number;
  demand: number;
};

/** Inserts the organisations, venues and offers; returns the organisations' ids by name and the offers. */
export async function insertOrganisationsAndOffers(tx: Tx): Promise<{ organisationIds: Map<string, string>; offers: DemoOfferRecord[] }> {
  const organisationIds = new Map<string, string>();
  const offers: DemoOfferRecord[] = [];
  for (const entry of catalogue) {
    const { id: organisationId } = await tx
      .insertInto('organisations')
      .values({ name: entry.name, kind: entry.kind, description: entry.description, website: entry.website, contactEmail: entry.contactEmail })
      .returning('id')
      .executeTakeFirstOrThrow();
    organisationIds.set(entry.name, organisationId);
    const venueIds: string[] = [];
    for (const venue of entry.venues) {
      const flags = Object.fromEntries(venue.access.map((feature) => [feature, true]));
      const row = await tx
        .insertInto('venues')
        .values({
          organisationId,
          name: venue.name,
          addressLine1: venue.addressLine1,
          town: venue.town,
          postcode: venue.postcode,
          accessNotes: venue.accessNotes ?? '',
          travelNotes: venue.travelNotes ?? '',
          ...flags,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      venueIds.push(row.id);
    }
    for (const [index, offer] of entry.offers.entries()) {
      const venueId = offer.online ? null : must(venueIds[index % venueIds.length], `a venue of ${entry.name}`);
      const { id } = await tx
        .insertInto('offers')
        .values({
          organisationId,
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
          referralEmail: entry.contactEmail,
          minAge: 18,
          volunteeringRequirements: offer.volunteeringRequirements ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      offers.push({
        id,
        organisation: entry.name,
        title: offer.title,
        category: offer.category,
        isFree: !offer.cost,
        day: offer.day,
        start: offer.start,
        end: offer.end,
        venueId,
        online: offer.online ?? null,
        whatToBring: offer.whatToBring ?? '',
        everyWeeks: offer.tasters.everyWeeks,
        places: offer.tasters.places,
        demand: offer.tasters.demand,
      });
    }
  }
  return { organisationIds, offers };
}
