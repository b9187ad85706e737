import type { FastifyInstance } from 'fastify';
import { bookRoutes } from './book-routes.ts';
import { bookingPageRoutes } from './booking-routes.ts';
import { colleagueBookingRoutes } from './colleague-routes.ts';
import { myBookingsRoutes } from './my-bookings-routes.ts';
import { sessionBookingsRoutes } from './session-bookings-routes.ts';

/** Booking, cancelling, My bookings, and who has booked a session. One file per page. */
export async function bookingRoutes(app: FastifyInstance) {
  await app.register(bookRoutes);
  await app.register(bookingPageRoutes);
  await app.register(colleagueBookingRoutes);
  await app.register(myBookingsRoutes);
  await app.register(sessionBookingsRoutes);
}
