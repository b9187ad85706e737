import { randomUUID } from 'node:crypto';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { viewHelpers as h } from '../lib/view-helpers.ts';
import * as eq from './edit-queries.ts';
import * as mq from './message-queries.ts';
import * as q from './queries.ts';
import type { DayInput, ItemInput, TasterInput } from './schemas.ts';
import { promoteAndTell } from './service.ts';

/**
 * A coordinator changing a day after publishing it: the day itself, its programme items and
 * tasters, and cancelling it. Each change takes the day's lock first, as registering does, so
 * places and waiting lists are counted by one transaction at a time; then statements only, the
 * emails queued as facts (message-queries.ts).
 */

const sameInstant = (a: Date, b: Date) => new Date(a).getTime() === new Date(b).getTime();

async function lockedDay(tx: Tx, dayId: string) {
  const day = await q.lockDay(tx, dayId);
  if (!day) throw new NotFoundError();
  if (day.status === 'cancelled') throw new DomainError('session_cancelled', 'This day has been cancelled, so it can no longer be changed');
  return day;
}

async function audit(tx: Tx, actor: Actor, action: string, dayId: string, details?: Record<string, unknown>) {
  await recordAudit(tx, {
    actorId: actor.id,
    action,
    subjectType: 'taster_day',
    subjectId: dayId,
    address: actor.address ?? null,
    ...(details ? { details } : {}),
  });
}

/**
 * Changes the day. Moving it moves its programme with it; the programme must then still fit its
 * hours. Lowering an audience's places never removes anyone with a place (they keep it, and nobody
 * new is confirmed until the count is below the places); raising them promotes the longest-waiting,
 * in this transaction. Everyone registered is told when the time or venue changes.
 */
export async function editDay(tx: Tx, actor: Actor, dayId: string, input: DayInput, mail: mq.MailContext): Promise<void> {
  const day = await lockedDay(tx, dayId);
  const before = await eq.dayForEdit(tx, dayId);
  if (!before) throw new NotFoundError();
  await eq.shiftProgramme(tx, dayId, new Date(input.startsAt).getTime() - new Date(before.startsAt).getTime());
  const [outside] = await eq.itemsOutside(tx, dayId, input.startsAt, input.endsAt);
  if (outside) {
    // Thrown inside the transaction: the moved programme is rolled back with it.
    throw new DomainError(
      'programme_outside',
      `“${outside.title}” would fall outside ${h.time(input.startsAt)} to ${h.time(input.endsAt)}. Change the programme first, or keep the day long enough`,
      'endTime',
    );
  }
  await eq.updateDayRow(tx, dayId, input);
  if (day.status !== 'published') {
    await audit(tx, actor, 'day_changed', dayId);
    return;
  }
  const promoted = [...(await q.promoteRegistrations(tx, dayId, 'link_worker')), ...(await q.promoteRegistrations(tx, dayId, 'cultural'))];
  await promoteAndTell(tx, dayId, promoted, mail);
  const moved = !sameInstant(before.startsAt, input.startsAt) || !sameInstant(before.endsAt, input.endsAt) || before.venueId !== input.venueId;
  if (moved) {
    await mq.raiseCalendarSequence(tx, dayId);
    await mq.queueDayChanged(
      tx,
      dayId,
      { eventId: randomUUID(), day: { startsAt: before.startsAt, endsAt: before.endsAt, venueId: before.venueId }, tasters: [] },
      mail,
    );
  }
  await audit(tx, actor, 'day_changed', dayId, { moved, promoted: promoted.length });
}

async function itemOf(tx: Tx, dayId: string, itemId: string) {
  const item = await q.findItem(tx, itemId);
  if (!item || item.tasterDayId !== dayId) throw new NotFoundError();
  return item;
}

/** Changes a programme item (not its kind). People with a taster in a slot that moves are told. */
export async function editItem(tx: Tx, actor: Actor, dayId: string, itemId: string, input: ItemInput, mail: mq.MailContext): Promise<void> {
  const day = await lockedDay(tx, dayId);
  const item = await itemOf(tx, dayId, itemId);
  if (item.kind === 'slot') {
    const clash = (await q.overlappingSlots(tx, dayId, input.startsAt, input.endsAt)).find((s) => s.id !== item.id);
    if (clash) {
      throw new DomainError(
        'slot_overlaps',
        `This overlaps the slot “${clash.title}”. Slots of tasters must not overlap, so nobody is in two at once`,
        'startTime',
      );
    }
  }
  const tasters = item.kind === 'slot' ? await eq.tastersOfItem(tx, itemId) : [];
  await eq.updateItemRow(tx, itemId, input);
  const moved = !sameInstant(item.startsAt, input.startsAt) || !sameInstant(item.endsAt, input.endsAt);
  if (day.status === 'published' && moved && tasters.length > 0) {
    await mq.raiseCalendarSequence(tx, dayId);
    await mq.queueDayChanged(
      tx,
      dayId,
      {
        eventId: randomUUID(),
        day: null,
        tasters: tasters.map((t) => ({ tasterId: t.id, title: t.title, room: t.room, startsAt: item.startsAt, endsAt: item.endsAt })),
      },
      mail,
    );
  }
  await audit(tx, actor, 'day_item_changed', dayId, { itemId });
}

/**
 * Takes an item off the programme. A slot goes with its tasters, and everyone who chose one of
 * them is told. A published day keeps at least one item: to call it all off, cancel the day.
 */
export async function removeItem(tx: Tx, actor: Actor, dayId: string, itemId: string, mail: mq.MailContext): Promise<void> {
  const day = await lockedDay(tx, dayId);
  const item = await itemOf(tx, dayId, itemId);
  if (day.status === 'published' && (await eq.countItems(tx, dayId)) <= 1) {
    throw new DomainError('last_item', 'A published day needs its programme. To call the day off, cancel the day instead', 'remove');
  }
  for (const t of await eq.tastersOfItem(tx, itemId)) await mq.queueTasterRemoved(tx, await eq.cancelChoicesOfTaster(tx, t.id), mail);
  await eq.deleteItem(tx, itemId);
  await audit(tx, actor, 'day_item_removed', dayId, { itemId, title: item.title });
}

export async function tasterOf(tx: Tx, dayId: string, tasterId: string) {
  const taster = await eq.findTaster(tx, tasterId);
  if (!taster || taster.tasterDayId !== dayId) throw new NotFoundError();
  return taster;
}

/**
 * Changes a taster. Lowering its places keeps everyone who has one; raising them promotes those
 * waiting for it, in this transaction. People who chose it are told when its room changes.
 */
export async function editTaster(tx: Tx, actor: Actor, dayId: string, tasterId: string, input: TasterInput, mail: mq.MailContext): Promise<void> {
  const day = await lockedDay(tx, dayId);
  const before = await tasterOf(tx, dayId, tasterId);
  await eq.updateTasterRow(tx, tasterId, input);
  if (day.status === 'published') {
    if (input.capacity > before.capacity) await promoteAndTell(tx, dayId, [], mail);
    if (input.room !== before.room) {
      await mq.raiseCalendarSequence(tx, dayId);
      await mq.queueDayChanged(
        tx,
        dayId,
        {
          eventId: randomUUID(),
          day: null,
          tasters: [{ tasterId, title: before.title, room: before.room, startsAt: before.startsAt, endsAt: before.endsAt }],
        },
        mail,
      );
    }
  }
  await audit(tx, actor, 'day_taster_changed', dayId, { tasterId });
}

/**
 * Takes a taster off its slot; everyone who chose it is told, and may choose another. A slot of a
 * published day keeps at least one taster (link workers must choose one): remove the slot instead.
 */
export async function removeTaster(tx: Tx, actor: Actor, dayId: string, tasterId: string, mail: mq.MailContext): Promise<void> {
  const day = await lockedDay(tx, dayId);
  const taster = await tasterOf(tx, dayId, tasterId);
  if (day.status === 'published' && (await eq.tastersOfItem(tx, taster.programmeItemId)).length <= 1) {
    throw new DomainError(
      'last_taster',
      `“${taster.itemTitle}” needs at least one taster. To drop it, remove “${taster.itemTitle}” from the programme instead`,
      'remove',
    );
  }
  await mq.queueTasterRemoved(tx, await eq.cancelChoicesOfTaster(tx, tasterId), mail);
  await eq.deleteChoicesOfTaster(tx, tasterId);
  await eq.deleteTaster(tx, tasterId);
  await audit(tx, actor, 'day_taster_removed', dayId, { tasterId, title: taster.title });
}

/**
 * Cancels the whole day, with the reason: everyone registered or waiting is emailed, and a place's
 * calendar event is cancelled (SEQUENCE raised). Cancelling twice changes nothing.
 */
export async function cancelDay(tx: Tx, actor: Actor, dayId: string, reason: string, mail: mq.MailContext): Promise<'cancelled' | 'already'> {
  const day = await q.lockDay(tx, dayId);
  if (!day) throw new NotFoundError();
  if (day.status === 'cancelled') return 'already';
  await eq.cancelDayRow(tx, dayId, reason || null);
  await mq.raiseCalendarSequence(tx, dayId);
  await mq.queueDayCancelled(tx, dayId, mail);
  await audit(tx, actor, 'day_cancelled', dayId);
  return 'cancelled';
}
