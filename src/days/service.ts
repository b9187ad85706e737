import type { Actor, ActorInRole } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Db, Tx } from '../db/database.ts';
import type { Audience, PlaceStatus } from '../db/tables/days.ts';
import { inTransaction } from '../db/transaction.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import * as mq from './message-queries.ts';
import { proposalOf } from './proposal-queries.ts';
import { proposalState } from './proposal-service.ts';
import * as q from './queries.ts';
import { type DayInput, type ItemInput, slotField, type TasterInput } from './schemas.ts';

/**
 * The rules of taster days. Building a day is a coordinator's; registering is for link workers
 * and cultural-sector staff (provider staff), each audience with its own places and waiting list.
 * Every change to places takes the day's lock first (q.lockDay) and then runs statements only.
 */

/** Who may register, and as which audience: coordinators organise the day, they do not take places. */
export function audienceOf(actor: ActorInRole): Audience | null {
  if (actor.role === 'link_worker') return 'link_worker';
  if (actor.role === 'provider') return 'cultural';
  return null;
}

export async function createDay(tx: Tx, actor: Actor, input: DayInput): Promise<string> {
  const id = await q.insertDay(tx, actor.id, input);
  await recordAudit(tx, { actorId: actor.id, action: 'day_created', subjectType: 'taster_day', subjectId: id, address: actor.address ?? null });
  return id;
}

export async function addItem(tx: Tx, actor: Actor, dayId: string, input: ItemInput): Promise<string> {
  if (input.kind === 'slot') {
    const [clash] = await q.overlappingSlots(tx, dayId, input.startsAt, input.endsAt);
    if (clash) {
      throw new DomainError(
        'slot_overlaps',
        `This overlaps the slot “${clash.title}”. Slots of tasters must not overlap, so nobody is in two at once`,
        'startTime',
      );
    }
  }
  const id = await q.insertItem(tx, dayId, input);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'day_item_added',
    subjectType: 'taster_day',
    subjectId: dayId,
    details: { itemId: id },
    address: actor.address ?? null,
  });
  return id;
}

export async function addTaster(tx: Tx, actor: Actor, dayId: string, itemId: string, input: TasterInput): Promise<string> {
  const id = await q.insertTaster(tx, itemId, input);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'day_taster_added',
    subjectType: 'taster_day',
    subjectId: dayId,
    details: { tasterId: id },
    address: actor.address ?? null,
  });
  return id;
}

/** A draft day with at least one programme item goes live. Publishing twice changes nothing. */
export async function publishDay(tx: Tx, actor: Actor, dayId: string): Promise<void> {
  const day = await q.lockDay(tx, dayId);
  if (!day) throw new NotFoundError();
  if (day.status !== 'draft') return;
  // Publishing approves a proposal: one returned to its proposer is theirs to change until they send it again.
  const proposal = await proposalOf(tx, dayId);
  if (proposal && proposalState({ status: day.status, ...proposal }) === 'returned') {
    throw new DomainError('proposal_returned', 'This proposal was returned to its proposer: they must change it and send it again before it can be published');
  }
  const items = await q.listItems(tx, dayId);
  if (items.length === 0) throw new DomainError('nothing_to_publish', 'Add the programme before publishing the day');
  const tasters = await q.listTasters(tx, dayId);
  const empty = items.find((item) => item.kind === 'slot' && !tasters.some((t) => t.programmeItemId === item.id));
  if (empty) throw new DomainError('nothing_to_publish', `Add at least one taster to “${empty.title}” before publishing the day`);
  await q.publishDayRow(tx, dayId, actor.id);
  await recordAudit(tx, { actorId: actor.id, action: 'day_published', subjectType: 'taster_day', subjectId: dayId, address: actor.address ?? null });
}

/** Why nobody can register or change choices now, or null when they can. */
export function registrationProblem(day: { status: string; startsAt: Date; bookingClosesAt: Date }, now = new Date()): DomainError | null {
  if (day.status === 'draft') return new NotFoundError();
  if (day.status === 'cancelled') return new DomainError('session_cancelled', 'This day has been cancelled');
  if (new Date(day.startsAt) <= now) return new DomainError('session_started', 'This day has already started');
  if (new Date(day.bookingClosesAt) <= now) return new DomainError('booking_closed', 'Registration for this day has closed');
  return null;
}

export type Choices = Map<string, string>;

type Taster = q.TasterListing;

/**
 * The choices checked against the programme and the person's audience: a link worker picks one
 * taster in every slot; cultural staff may pick one in a slot, of another organisation only. A
 * problem names the slot's field. Runs under the lock, on tasters read under it.
 */
function checkChoices(actor: ActorInRole, audience: Audience, slots: Array<{ id: string; title: string }>, tasters: Taster[], choices: Choices) {
  const chosen: Array<{ itemId: string; taster: Taster }> = [];
  for (const slot of slots) {
    const tasterId = choices.get(slot.id) ?? '';
    if (!tasterId) {
      if (audience === 'link_worker') throw new DomainError('choice_required', `Choose a taster for “${slot.title}”`, slotField(slot.id));
      continue;
    }
    const taster = tasters.find((t) => t.id === tasterId && t.programmeItemId === slot.id);
    if (!taster) throw new DomainError('choice_required', `Choose one of the tasters listed for “${slot.title}”`, slotField(slot.id));
    if (audience === 'cultural' && taster.organisationId === actor.organisationId) {
      throw new DomainError('own_taster', 'Your organisation runs this taster: choose another organisation’s, or none', slotField(slot.id));
    }
    chosen.push({ itemId: slot.id, taster });
  }
  return chosen;
}

/**
 * Places one choice. A link worker's goes to the taster's waiting list when it is full (and
 * waits there while their own registration does); cultural staff take a taster only if a place
 * is free now ("if places allow"), so they never queue ahead of the link workers the day is for.
 */
async function placeChoice(tx: Tx, registration: { id: string; status: PlaceStatus; audience: Audience }, itemId: string, taster: Taster) {
  if (registration.status !== 'confirmed') {
    await q.insertChoice(tx, { registrationId: registration.id, tasterId: taster.id, itemId, status: 'waitlisted' });
    return;
  }
  const confirmed = await q.confirmedInTaster(tx, taster.id);
  if (confirmed < taster.capacity) {
    await q.insertChoice(tx, { registrationId: registration.id, tasterId: taster.id, itemId, status: 'confirmed' });
  } else if (registration.audience === 'link_worker') {
    await q.insertChoice(tx, { registrationId: registration.id, tasterId: taster.id, itemId, status: 'waitlisted' });
  } else {
    throw new DomainError('session_full', `“${taster.title}” is full: its places go to link workers first`, slotField(itemId));
  }
}

export type RegistrationInput = { accessNeeds: string; dietaryNeeds: string; participantList: boolean; choices: Choices };
export type RegistrationOutcome = { registrationId: string; status: PlaceStatus; created: boolean };

/**
 * Registering: a confirmed place while the audience has places, else the audience's waiting list;
 * one choice per slot (see checkChoices). Registering twice (a double click, two tabs) gives back
 * the registration the person has.
 */
export async function register(tx: Tx, actor: ActorInRole, dayId: string, input: RegistrationInput, mail: mq.MailContext = {}): Promise<RegistrationOutcome> {
  const audience = audienceOf(actor);
  if (!audience) throw new DomainError('forbidden', 'Coordinators organise days rather than register for them');
  const day = await q.lockDay(tx, dayId);
  if (!day || day.status === 'draft') throw new NotFoundError();
  const existing = await q.findLiveRegistration(tx, dayId, actor.id);
  if (existing) return { registrationId: existing.id, status: existing.status, created: false };
  const problem = registrationProblem(day);
  if (problem) throw problem;
  const slots = (await q.listItems(tx, dayId)).filter((item) => item.kind === 'slot');
  const tasters = await q.listTasters(tx, dayId);
  const chosen = checkChoices(actor, audience, slots, tasters, input.choices);
  const places = audience === 'link_worker' ? day.linkWorkerPlaces : day.culturalPlaces;
  const status: PlaceStatus = (await q.confirmedInAudience(tx, dayId, audience)) < places ? 'confirmed' : 'waitlisted';
  const registrationId = await q.insertRegistration(tx, {
    dayId,
    userId: actor.id,
    audience,
    status,
    accessNeeds: input.accessNeeds,
    dietaryNeeds: input.dietaryNeeds,
    onParticipantList: input.participantList,
  });
  for (const { itemId, taster } of chosen) await placeChoice(tx, { id: registrationId, status, audience }, itemId, taster);
  await recordAudit(tx, {
    actorId: actor.id,
    action: status === 'confirmed' ? 'day_registered' : 'day_waitlisted',
    subjectType: 'taster_day',
    subjectId: dayId,
    details: { registrationId },
    address: actor.address ?? null,
  });
  await mq.queueRegistered(tx, registrationId, mail);
  return { registrationId, status, created: true };
}

/**
 * Changing choices until registration closes: a slot whose taster changes gives up the old
 * choice (its place goes to the next person waiting, in this transaction) and takes the new one,
 * confirmed if a place is free, else waiting. Unchanged slots keep their place and their turn.
 */
export async function changeChoices(tx: Tx, actor: ActorInRole, dayId: string, choices: Choices, mail: mq.MailContext = {}): Promise<void> {
  const audience = audienceOf(actor);
  if (!audience) throw new NotFoundError();
  const day = await q.lockDay(tx, dayId);
  if (!day || day.status === 'draft') throw new NotFoundError();
  const registration = await q.findLiveRegistration(tx, dayId, actor.id);
  if (!registration) throw new DomainError('not_booked', 'You are not registered for this day');
  const problem = registrationProblem(day);
  if (problem) throw problem;
  const slots = (await q.listItems(tx, dayId)).filter((item) => item.kind === 'slot');
  const tasters = await q.listTasters(tx, dayId);
  const chosen = checkChoices(actor, registration.audience, slots, tasters, choices);
  const current = await q.liveChoices(tx, registration.id);
  const leaving = current.filter((c) => !chosen.some((n) => n.itemId === c.programmeItemId && n.taster.id === c.dayTasterId));
  await q.cancelChoices(
    tx,
    leaving.map((c) => c.id),
  );
  // Freed places go to those waiting before the new choices are placed: a person changing taster
  // never jumps the queue of the one they move to.
  if (leaving.some((c) => c.status === 'confirmed')) await promoteAndTell(tx, dayId, [], mail);
  for (const { itemId, taster } of chosen) {
    if (current.some((c) => c.programmeItemId === itemId && c.dayTasterId === taster.id)) continue;
    await placeChoice(tx, registration, itemId, taster);
  }
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'day_choices_changed',
    subjectType: 'taster_day',
    subjectId: dayId,
    details: { registrationId: registration.id },
    address: actor.address ?? null,
  });
}

/**
 * Cancelling a registration (up to the start of the day) cancels its choices; a freed place on the
 * day goes to the longest-waiting person of the same audience, and freed taster places to those
 * waiting for them — the newly promoted people's own waiting choices included — in this transaction.
 */
export async function cancelRegistration(tx: Tx, actor: Actor, dayId: string, mail: mq.MailContext = {}): Promise<{ promoted: number }> {
  const day = await q.lockDay(tx, dayId);
  if (!day || day.status === 'draft') throw new NotFoundError();
  const registration = await q.findLiveRegistration(tx, dayId, actor.id);
  if (!registration) return { promoted: 0 };
  if (new Date(day.startsAt) <= new Date())
    throw new DomainError('session_started', 'This day has already started, so the registration can no longer be cancelled');
  const was = await q.cancelRegistrationRow(tx, registration.id);
  const promoted = was === 'confirmed' ? await q.promoteRegistrations(tx, dayId, registration.audience) : [];
  await promoteAndTell(tx, dayId, promoted, mail);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'day_registration_cancelled',
    subjectType: 'taster_day',
    subjectId: dayId,
    details: { registrationId: registration.id },
    address: actor.address ?? null,
  });
  for (const p of promoted) {
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'day_registration_promoted',
      subjectType: 'taster_day',
      subjectId: dayId,
      details: { registrationId: p.id, userId: p.userId },
    });
  }
  return { promoted: promoted.length };
}

/**
 * Fills the day's tasters from their waiting lists and queues the emails: "a place on the day is
 * yours" for each registration just promoted (its programme shows the tasters it got with it), and
 * "a place on the taster is yours" for every other choice just promoted. Statements only, under the
 * day's lock.
 */
export async function promoteAndTell(tx: Tx, dayId: string, promoted: Array<{ id: string }>, mail: mq.MailContext): Promise<void> {
  const filled = await q.fillTasters(tx, dayId);
  await mq.queueRegistrationsPromoted(
    tx,
    promoted.map((p) => p.id),
    mail,
  );
  const promotedIds = new Set(promoted.map((p) => p.id));
  await mq.queueChoicesPromoted(
    tx,
    filled.filter((c) => !promotedIds.has(c.registrationId)).map((c) => c.id),
    mail,
  );
}

/** Agreeing to appear on the participant list, or withdrawing: it takes effect at once. */
export async function chooseParticipantList(tx: Tx, actor: Actor, dayId: string, on: boolean): Promise<void> {
  const registration = await q.findLiveRegistration(tx, dayId, actor.id);
  if (!registration) throw new DomainError('not_booked', 'You are not registered for this day');
  if (registration.onParticipantList === on) return;
  await q.setParticipantList(tx, registration.id, on);
  await recordAudit(tx, {
    actorId: actor.id,
    action: on ? 'day_list_joined' : 'day_list_left',
    subjectType: 'taster_day',
    subjectId: dayId,
    address: actor.address ?? null,
  });
}

function isDoubleRegistration(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { constraint?: unknown }).constraint === 'day_registrations_one_live_per_person';
}

/** The registering use case, one transaction retried when the database is busy. */
export async function registerForDay(
  db: Db,
  actor: ActorInRole,
  dayId: string,
  input: RegistrationInput,
  mail: mq.MailContext = {},
): Promise<RegistrationOutcome> {
  try {
    return await inTransaction(db, (tx) => register(tx, actor, dayId, input, mail));
  } catch (error) {
    // The database's own unique index, the last line of defence against a second registration.
    if (!isDoubleRegistration(error)) throw error;
    const existing = await q.findLiveRegistration(db, dayId, actor.id);
    if (!existing) throw error;
    return { registrationId: existing.id, status: existing.status, created: false };
  }
}
