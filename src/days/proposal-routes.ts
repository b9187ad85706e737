import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../lib/forms.ts';
import { londonParts } from '../lib/london-time.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { fieldErrorFrom, flashFor, formPage } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, userOf } from '../web/request.ts';
import * as q from './proposal-queries.ts';
import { returnForm } from './proposal-schemas.ts';
import { proposalState, proposeDay, resubmitProposal, returnProposal } from './proposal-service.ts';
import { dayForm } from './schemas.ts';

const stateNames = { waiting: 'Waiting for approval', returned: 'Returned to you', published: 'Approved and published', cancelled: 'Cancelled' } as const;
const done = {
  proposed: 'Proposal sent. A coordinator will approve it or return it to you',
  resent: 'Proposal sent again',
  returned: 'Proposal returned to its organisation',
};

/** The day form's values from a stored day, for changing a returned proposal. */
function valuesOf(p: q.Proposal): Record<string, string> {
  const start = londonParts(p.startsAt);
  const closes = londonParts(p.bookingClosesAt);
  return {
    title: p.title,
    description: p.description,
    venueId: p.venueId,
    dateDay: start.day,
    dateMonth: start.month,
    dateYear: start.year,
    startTime: start.time,
    endTime: londonParts(p.endsAt).time,
    closesDay: closes.day,
    closesMonth: closes.month,
    closesYear: closes.year,
    closesTime: closes.time,
    linkWorkerPlaces: String(p.linkWorkerPlaces),
    culturalPlaces: String(p.culturalPlaces),
  };
}

/**
 * Taster days proposed by provider staff (issue 15, item 1): they propose a day for their
 * organisation; a coordinator approves and publishes it (on the day's page, as for any draft) or
 * returns it with a reason; the proposer sees the reason, changes the proposal and sends it again.
 */
export async function dayProposalRoutes(app: FastifyInstance) {
  const { db } = app;
  const provider = { preHandler: requireRole('provider'), ...fieldsChecked };
  const coordinator = { preHandler: requireRole('coordinator'), ...fieldsChecked };

  app.get('/days/proposals', { preHandler: requireRole('provider', 'coordinator') }, async (request, reply) => {
    const user = userOf(request);
    const list = await q.listProposals(db, user.role === 'coordinator' ? null : (user.organisationId ?? ''));
    return reply.viewAsync('days/proposals.eta', {
      title: user.role === 'coordinator' ? 'Proposed taster days' : 'Your organisation’s proposed taster days',
      proposals: list.map((p) => ({ ...p, stateName: stateNames[proposalState(p)] })),
      canPropose: user.role === 'provider',
      isCoordinator: user.role === 'coordinator',
      flash: flashFor(request.query, done),
      backLink: { href: '/days', text: 'Back to taster days' },
    });
  });

  async function proposeFormPage(request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors: FieldErrors = {}, dayId?: string) {
    const venues = await q.ownVenues(db, userOf(request).organisationId ?? '');
    return formPage(reply, 'days/form.eta', {
      title: dayId ? 'Change your proposal' : 'Propose a taster day',
      intro:
        'A coordinator will check your proposal. Nobody can see it or register until a coordinator approves and publishes it. Describe the programme you have in mind.',
      action: dayId ? `/days/proposals/${dayId}` : '/days/proposals/new',
      button: dayId ? 'Send it again' : 'Send for approval',
      venues: [{ value: '', text: 'Select a venue' }, ...venues.map((v) => ({ value: v.id, text: `${v.name}, ${v.town}` }))],
      values,
      errors,
      backLink: { href: '/days/proposals', text: 'Back to proposed taster days' },
    });
  }

  app.get('/days/proposals/new', provider, async (request, reply) => proposeFormPage(request, reply, {}));

  app.post('/days/proposals/new', provider, async (request, reply) => {
    const form = parseForm(dayForm(new Date()), request.body);
    if (!form.ok) return proposeFormPage(request, reply, form.values, form.errors);
    try {
      const id = await db.transaction().execute((tx) => proposeDay(tx, actorOf(request), form.value));
      return reply.redirect(`/days/proposals/${id}?done=proposed`, 303);
    } catch (error) {
      const errors = fieldErrorFrom(error);
      if (errors) return proposeFormPage(request, reply, formValues(request.body), errors);
      throw error;
    }
  });

  async function ownProposal(request: FastifyRequest) {
    const proposal = await q.findProposal(db, paramsOf(idParams, request).id);
    if (!proposal || proposal.organisationId !== userOf(request).organisationId) throw new NotFoundError();
    return proposal;
  }

  async function proposalPage(request: FastifyRequest, reply: FastifyReply, proposal: q.Proposal, values?: Record<string, string>, errors: FieldErrors = {}) {
    const state = proposalState(proposal);
    const venues = await q.ownVenues(db, userOf(request).organisationId ?? '');
    return formPage(reply, 'days/proposal.eta', {
      title: proposal.title,
      proposal,
      state,
      stateName: stateNames[state],
      action: `/days/proposals/${proposal.id}`,
      button: 'Send it again',
      venues: [{ value: '', text: 'Select a venue' }, ...venues.map((v) => ({ value: v.id, text: `${v.name}, ${v.town}` }))],
      values: values ?? valuesOf(proposal),
      errors,
      flash: flashFor(request.query, done),
      backLink: { href: '/days/proposals', text: 'Back to proposed taster days' },
    });
  }

  app.get('/days/proposals/:id', provider, async (request, reply) => proposalPage(request, reply, await ownProposal(request)));

  app.post('/days/proposals/:id', provider, async (request, reply) => {
    const proposal = await ownProposal(request);
    const form = parseForm(dayForm(new Date()), request.body);
    if (!form.ok) return proposalPage(request, reply, proposal, form.values, form.errors);
    try {
      await db.transaction().execute((tx) => resubmitProposal(tx, actorOf(request), proposal.id, form.value));
    } catch (error) {
      const errors = fieldErrorFrom(error);
      if (errors) return proposalPage(request, reply, proposal, formValues(request.body), errors);
      throw error;
    }
    return reply.redirect(`/days/proposals/${proposal.id}?done=resent`, 303);
  });

  async function reviewPage(reply: FastifyReply, proposal: q.Proposal, values: Record<string, string> = {}, errors: FieldErrors = {}) {
    const state = proposalState(proposal);
    return formPage(reply, 'days/proposal-review.eta', {
      title: `Proposal: ${proposal.title}`,
      proposal,
      state,
      stateName: stateNames[state],
      values,
      errors,
      backLink: { href: '/days/proposals', text: 'Back to proposed taster days' },
    });
  }

  async function anyProposal(request: FastifyRequest) {
    const proposal = await q.findProposal(db, paramsOf(idParams, request).id);
    if (!proposal) throw new NotFoundError();
    return proposal;
  }

  app.get('/days/:id/proposal', coordinator, async (request, reply) => reviewPage(reply, await anyProposal(request)));

  app.post('/days/:id/return', coordinator, async (request, reply) => {
    const proposal = await anyProposal(request);
    const form = parseForm(returnForm, request.body);
    if (!form.ok) return reviewPage(reply, proposal, form.values, form.errors);
    try {
      await db.transaction().execute((tx) => returnProposal(tx, actorOf(request), proposal.id, form.value.reason));
    } catch (error) {
      const errors = fieldErrorFrom(error);
      if (errors) return reviewPage(reply, proposal, formValues(request.body), errors);
      throw error;
    }
    return reply.redirect('/days/proposals?done=returned', 303);
  });
}
