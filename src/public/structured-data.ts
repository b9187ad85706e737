import type { FeedVenue } from '../openreferral/location-mapping.ts';
import type { FeedOffer } from '../openreferral/mapping.ts';
import { publicEmail, publicWebsite } from '../openreferral/mapping.ts';
import type { OfferSummary } from './present.ts';

// schema.org descriptions for search engines and directories, written into the page as a
// <script type="application/ld+json"> data block: a browser never runs it, so the policy's
// script-src (our own files only) does not apply to it.

type Thing = Record<string, unknown>;

const defined = (thing: Thing): Thing => Object.fromEntries(Object.entries(thing).filter(([, value]) => value !== undefined && value !== null && value !== ''));

function place(venue: FeedVenue): Thing {
  return defined({
    '@type': 'Place',
    name: venue.name,
    address: defined({
      '@type': 'PostalAddress',
      streetAddress: [venue.addressLine1, venue.addressLine2].filter(Boolean).join(', '),
      addressLocality: venue.town,
      postalCode: venue.postcode,
      addressCountry: 'GB',
    }),
    geo: venue.latitude !== null && venue.longitude !== null ? { '@type': 'GeoCoordinates', latitude: venue.latitude, longitude: venue.longitude } : undefined,
    amenityFeature: [
      ['stepFree', 'Step-free access'],
      ['accessibleToilet', 'Accessible toilet'],
      ['hearingLoop', 'Hearing loop'],
      ['seating', 'Seating'],
      ['parking', 'Parking'],
      ['quietSpace', 'Quiet space'],
    ]
      .filter(([field]) => venue[field as keyof FeedVenue] === true)
      .map(([, name]) => ({ '@type': 'LocationFeatureSpecification', name, value: true })),
  });
}

function organisation(offer: FeedOffer, pageUrl: string): Thing {
  return defined({
    '@type': 'Organization',
    name: offer.organisation.name,
    url: pageUrl,
    sameAs: publicWebsite(offer.organisation.website),
  });
}

/** An offer as a schema.org Service: what it is, who provides it, where, what it costs. */
export function offerData(offer: FeedOffer, venues: FeedVenue[], urls: { page: string; organisation: string }, category: string): Thing {
  return defined({
    '@context': 'https://schema.org',
    '@type': 'Service',
    '@id': urls.page,
    url: urls.page,
    name: offer.title,
    description: offer.description,
    serviceType: category,
    audience: offer.suits ? { '@type': 'Audience', audienceType: offer.suits } : undefined,
    provider: organisation(offer, urls.organisation),
    availableChannel: venues.map((venue) => ({ '@type': 'ServiceChannel', serviceLocation: place(venue) })),
    offers: defined({
      '@type': 'Offer',
      price: offer.isFree ? 0 : (offer.costAmount ?? undefined),
      priceCurrency: offer.isFree || offer.costAmount !== null ? 'GBP' : undefined,
      description: offer.costNote || undefined,
    }),
    email: publicEmail(offer.referralEmail),
    telephone: offer.referralPhone?.trim() || undefined,
  });
}

/** An organisation as a schema.org Organization, with the services it offers. */
export function organisationData(
  organisation: { name: string; description: string; website: string | null; contactEmail: string | null; contactPhone: string | null },
  pageUrl: string,
  offers: Array<OfferSummary & { url: string }>,
): Thing {
  return defined({
    '@context': 'https://schema.org',
    '@type': 'Organization',
    '@id': pageUrl,
    url: pageUrl,
    name: organisation.name,
    description: organisation.description,
    sameAs: publicWebsite(organisation.website),
    email: publicEmail(organisation.contactEmail),
    telephone: organisation.contactPhone?.trim() || undefined,
    makesOffer: offers.map((offer) => ({ '@type': 'Offer', itemOffered: { '@type': 'Service', '@id': offer.url, name: offer.title, url: offer.url } })),
  });
}

/**
 * JSON for a <script> data block: "<" written as \u003c so no text in it (an offer called
 * "</script><script>…") can end the block early; the same for the two characters JavaScript
 * once read as line ends.
 */
export function scriptJson(data: Thing): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
