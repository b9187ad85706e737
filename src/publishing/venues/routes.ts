import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ActorInRole } from '../../audit/actor.ts';
import type { VenueRow } from '../../db/tables/publishing.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../../lib/forms.ts';
import { requireRole } from '../../plugins/auth.ts';
import { fieldsChecked } from '../../plugins/hostile-input.ts';
import { fieldErrorFrom, formPage } from '../../web/forms.ts';
import { idParams, paramsOf } from '../../web/params.ts';
import { actorOf, userOf } from '../../web/request.ts';
import { dashboardHref, requestedOrganisation } from '../dashboard/links.ts';
import { assertManages, organisationForNew } from '../organisations/access.ts';
import { findOrganisation } from '../organisations/queries.ts';
import * as q from './queries.ts';
import { accessFeatures, venueForm } from './schemas.ts';
import * as venues from './service.ts';

function valuesOf(venue: VenueRow): Record<string, string> {
  const values: Record<string, string> = {
    name: venue.name,
    addressLine1: venue.addressLine1,
    addressLine2: venue.addressLine2 ?? '',
    town: venue.town,
    postcode: venue.postcode,
    travelNotes: venue.travelNotes,
    accessNotes: venue.accessNotes,
  };
  for (const [feature] of accessFeatures) values[feature] = venue[feature] ? 'yes' : '';
  return values;
}

/** An organisation's venues, with the access information link workers check before suggesting a place. */
export async function venueRoutes(app: FastifyInstance) {
  const { db } = app;
  const staff = { preHandler: requireRole('provider', 'coordinator') };

  async function venuePage(reply: FastifyReply, data: { organisationId: string; venue?: VenueRow; values: Record<string, string>; errors?: FieldErrors }) {
    const organisation = await findOrganisation(db, data.organisationId);
    if (!organisation) throw new NotFoundError();
    const back = dashboardHref(userOf(reply.request), data.organisationId);
    return formPage(reply, 'venues/form.eta', {
      title: data.venue ? `Edit ${data.venue.name}` : 'Add a venue',
      action: data.venue ? `/venues/${data.venue.id}/edit` : '/venues/new',
      organisation,
      venue: data.venue ?? null,
      accessFeatures,
      values: data.values,
      errors: data.errors ?? {},
      backLink: { href: back, text: 'Back' },
    });
  }

  app.get('/venues/new', staff, async (request, reply) => {
    const organisationId = organisationForNew(actorOf(request), requestedOrganisation(request.query));
    return venuePage(reply, { organisationId, values: { organisationId } });
  });

  app.post('/venues/new', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const actor = actorOf(request);
    const organisationId = organisationForNew(actor, requestedOrganisation(request.body));
    const form = parseForm(venueForm, request.body);
    if (!form.ok) return venuePage(reply, { organisationId, values: form.values, errors: form.errors });
    try {
      await db.transaction().execute((tx) => venues.createVenue(tx, actor, organisationId, form.value));
    } catch (error) {
      const errors = fieldErrorFrom(error);
      if (errors) return venuePage(reply, { organisationId, values: formValues(request.body), errors });
      throw error;
    }
    return reply.redirect(`${dashboardHref(userOf(request), organisationId)}?done=venue`, 303);
  });

  async function ownVenue(request: { params: unknown }, actor: ActorInRole) {
    const params = paramsOf(idParams, request);
    const venue = await q.findVenue(db, params.id);
    if (!venue) throw new NotFoundError();
    assertManages(actor, venue.organisationId);
    return venue;
  }

  app.get('/venues/:id/edit', staff, async (request, reply) => {
    const venue = await ownVenue(request, actorOf(request));
    return venuePage(reply, { organisationId: venue.organisationId, venue, values: valuesOf(venue) });
  });

  app.post('/venues/:id/edit', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const actor = actorOf(request);
    const venue = await ownVenue(request, actor);
    const form = parseForm(venueForm, request.body);
    if (!form.ok) return venuePage(reply, { organisationId: venue.organisationId, venue, values: form.values, errors: form.errors });
    await db.transaction().execute((tx) => venues.updateVenue(tx, actor, venue.id, form.value));
    return reply.redirect(`${dashboardHref(userOf(request), venue.organisationId)}?done=venue`, 303);
  });

  for (const [action, archived] of [
    ['archive', true],
    ['restore', false],
  ] as const) {
    app.post(`/venues/:id/${action}`, staff, async (request, reply) => {
      const actor = actorOf(request);
      const venue = await ownVenue(request, actor);
      await db.transaction().execute((tx) => venues.setVenueArchived(tx, actor, venue.id, archived));
      return reply.redirect(`${dashboardHref(userOf(request), venue.organisationId)}?done=venue-${action}`, 303);
    });
  }
}
