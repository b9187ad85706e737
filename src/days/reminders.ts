import type { ScheduleContext } from '../delivery/scheduled.ts';
import { reminderTime } from '../delivery/scheduled.ts';
import { absolute } from '../messages/facts.ts';
import { unsubscribePath } from '../preferences/unsubscribe.ts';
import { dayReminderCandidates, queueDayReminder } from './message-queries.ts';
import { dayReleasePath } from './release.ts';

const HOUR = 3_600_000;

/**
 * The day-before reminders of taster days, from 9am London time on the day before, as for sessions
 * (queueReminders): for each confirmed registration, facts the delivery worker writes the email
 * from, with the one-click "release my place" link. It is an optional email: link workers can turn
 * reminders off, so theirs carries the List-Unsubscribe link; cultural-sector staff have no such
 * choice (their role's preferences are digests only), so theirs carries none. The dedupe key holds
 * the day's start, so a day moved after its reminder gets another. Returns how many were queued.
 */
export async function queueDayReminders({ db, baseUrl, secret, now }: ScheduleContext): Promise<number> {
  let queued = 0;
  for (const registration of await dayReminderCandidates(db, now, new Date(now.getTime() + 48 * HOUR))) {
    const remindAt = reminderTime(registration.startsAt);
    if (now < remindAt) continue;
    // Registered after the reminder time: the confirmation they just had says it all.
    if (registration.confirmedAt && new Date(registration.confirmedAt) >= remindAt) continue;
    const links = {
      releaseUrl: absolute(baseUrl, dayReleasePath(secret, registration.registrationId)),
      unsubscribeUrl: registration.role === 'link_worker' ? absolute(baseUrl, unsubscribePath(secret, registration.userId, 'reminders')) : null,
      preferencesUrl: absolute(baseUrl, '/account/preferences'),
    };
    queued += await queueDayReminder(db, registration.registrationId, links, { baseUrl });
  }
  return queued;
}
