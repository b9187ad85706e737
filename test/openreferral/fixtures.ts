import type { Queryable } from '../../src/db/database.ts';
import { createOffer, createOrganisation, createSession, createVenue, unique } from '../fixtures/builders.ts';

// The feed maps every field a provider can fill in, so its tests start from rows with all of them
// filled: these are overrides for the shared builders, spread first so a test can change any one.

export function organisationDetails() {
  return {
    name: `Museum ${unique()}`,
    kind: 'museum' as const,
    description: 'A museum of the city and its people.',
    website: 'https://museum.example.org.uk',
    contactEmail: 'learning@museum.example.org.uk',
    contactPhone: '01865 000000',
  };
}

export function venueDetails() {
  return {
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
  };
}

export function offerDetails() {
  return {
    title: `Object handling ${unique()}`,
    category: 'heritage_museums' as const,
    description: 'Handle objects from the collection and talk about them over tea.',
    suits: 'Adults who feel isolated',
    scheduleFrequency: 'weekly' as const,
    scheduleDays: ['TH' as const],
    scheduleStartTime: '14:00',
    scheduleEndTime: '15:30',
    howToRefer: 'Email the learning team with the person’s first name and a phone number.',
    referralEmail: 'learning@museum.example.org.uk',
  };
}

/** A small area like the demo: two organisations publishing, weekly, fortnightly, monthly and online offers. */
export async function createDemoLikeArea(db: Queryable) {
  const museum = await createOrganisation(db, { ...organisationDetails(), name: `City Museum ${unique()}` });
  const garden = await createOrganisation(db, {
    ...organisationDetails(),
    name: `Botanic Garden ${unique()}`,
    kind: 'garden',
    website: 'botanic.example.org.uk',
    contactPhone: null,
  });
  const gallery = await venueAndOffer(db, museum.id);
  const greenhouse = await createVenue(db, garden.id, {
    ...venueDetails(),
    name: 'Glasshouses',
    latitude: null,
    longitude: null,
    addressLine2: 'Rose Lane',
    stepFree: false,
    parking: true,
    quietSpace: true,
    accessNotes: '',
  });
  const singing = await createOffer(db, museum.id, {
    ...offerDetails(),
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
    ...offerDetails(),
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
    ...offerDetails(),
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
    ...offerDetails(),
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
  const venue = await createVenue(db, organisationId, venueDetails());
  const offer = await createOffer(db, organisationId, { ...offerDetails(), usualVenueId: venue.id });
  return { venue, offer };
}
