import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError } from '../lib/errors.ts';
import { londonParts } from '../lib/london-time.ts';
import { requireRole } from '../plugins/auth.ts';
import { csvFilename, csvStream } from '../reports/csv.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { userOf } from '../web/request.ts';
import { toSessionSummary } from './present.ts';
import { findSessionSummary, listSessionBookings } from './queries.ts';

const statusWords = { confirmed: 'Has a place', waitlisted: 'Waiting', cancelled: 'Cancelled' } as const;

/**
 * Who has a place and who is waiting, the attendee list to print and the bookings as CSV: for the
 * session's own provider staff and coordinators only.
 */
export async function sessionBookingsRoutes(app: FastifyInstance) {
  const { db } = app;
  const staff = { preHandler: requireRole('provider', 'coordinator') };

  async function sessionOf(request: FastifyRequest) {
    const user = userOf(request);
    const params = paramsOf(idParams, request);
    const row = await findSessionSummary(db, params.id);
    // Another organisation's session does not exist, as far as provider staff can tell.
    if (!row || (user.role === 'provider' && row.organisationId !== user.organisationId)) throw new NotFoundError();
    return row;
  }

  async function bookingsOf(sessionId: string) {
    return (await listSessionBookings(db, sessionId)).map((b) => ({
      id: b.id,
      status: b.status,
      name: b.name ?? 'Erased account',
      practice: [b.practice, b.pcn].filter(Boolean).join(', '),
      practiceOnly: b.practice ?? '',
      pcn: b.pcn ?? '',
      email: b.email,
      position: b.status === 'waitlisted' ? b.position : null,
      since: b.status === 'waitlisted' ? b.waitlistedAt : b.confirmedAt,
      promoted: b.promotedAt !== null,
      isWalkIn: b.isWalkIn,
      attendance: b.attendance,
    }));
  }

  app.get('/sessions/:id/bookings', staff, async (request, reply) => {
    const row = await sessionOf(request);
    const bookings = await bookingsOf(row.id);
    const session = toSessionSummary(row);
    return reply.viewAsync('bookings/session-bookings.eta', {
      title: `Bookings: ${session.title}`,
      session,
      confirmed: bookings.filter((b) => b.status === 'confirmed'),
      waiting: bookings.filter((b) => b.status === 'waitlisted').sort((a, b) => (a.position ?? 0) - (b.position ?? 0)),
      backLink: { href: `/sessions/${session.id}`, text: 'Back to the session' },
    });
  });

  // The list to print for the door: names and practices of the people with a place, nothing else
  // (a sheet of paper can be left on a table; email addresses and the waiting list stay on screen).
  app.get('/sessions/:id/attendees', staff, async (request, reply) => {
    const row = await sessionOf(request);
    const session = toSessionSummary(row);
    const attendees = (await bookingsOf(row.id))
      .filter((b) => b.status === 'confirmed')
      .map((b) => ({ name: b.name, practice: b.practice }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
    return reply.viewAsync('bookings/attendees.eta', {
      title: `Attendee list: ${session.title}`,
      session,
      attendees,
      backLink: { href: `/sessions/${session.id}/bookings`, text: 'Back to who has booked' },
    });
  });

  app.get('/sessions/:id/bookings.csv', staff, async (request, reply) => {
    const row = await sessionOf(request);
    const rows = (await bookingsOf(row.id)).map((b) => ({
      status: statusWords[b.status],
      position: b.position ?? '',
      name: b.name,
      email: b.email ?? '',
      practice: b.practiceOnly,
      pcn: b.pcn,
      since: b.since ?? '',
      promoted: b.promoted,
      walkIn: b.isWalkIn,
      attendance: b.attendance ?? '',
    }));
    const filename = csvFilename('bookings', row.title, londonParts(row.startsAt).isoDate);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('cache-control', 'no-store')
      .send(
        csvStream(rows, [
          { key: 'status', header: 'Status' },
          { key: 'position', header: 'Waiting list position' },
          { key: 'name', header: 'Name' },
          { key: 'email', header: 'Email' },
          { key: 'practice', header: 'Practice' },
          { key: 'pcn', header: 'PCN' },
          { key: 'since', header: 'Booked or joined the waiting list' },
          { key: 'promoted', header: 'From the waiting list' },
          { key: 'walkIn', header: 'Walk-in' },
          { key: 'attendance', header: 'Attendance' },
        ]),
      );
  });
}
