import ICAL from 'ical.js';

/**
 * Reads an iCalendar text with ical.js, a parser independent of the library that writes our files
 * (ical-generator), after checking what RFC 5545 asks of the text itself: every line, the last one
 * included, ends with CRLF and none is longer than 75 octets. Time zones come only from the file.
 */
export function readCalendar(text: string) {
  if (!text.endsWith('END:VCALENDAR\r\n')) throw new Error('the calendar does not end with END:VCALENDAR and CRLF');
  const lines = text.slice(0, -2).split('\r\n');
  for (const line of lines) {
    if (line.includes('\n') || line.includes('\r')) throw new Error(`a line break that is not CRLF in ${JSON.stringify(line)}`);
    if (Buffer.byteLength(line, 'utf8') > 75) throw new Error(`a line longer than 75 octets: ${JSON.stringify(line)}`);
  }
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  // A URI's scheme is case-insensitive (RFC 3986): ical-generator writes MAILTO: for attendees.
  const address = (value: unknown) => String(value).replace(/^mailto:/i, 'mailto:');
  const events = calendar.getAllSubcomponents('vevent').map((component) => {
    const event = new ICAL.Event(component);
    const attendees = component.getAllProperties('attendee').map((p) => ({
      address: address(p.getFirstValue()),
      partstat: p.getParameter('partstat') ?? null,
      rsvp: p.getParameter('rsvp') ?? null,
    }));
    const organizer = component.getFirstProperty('organizer');
    const stamp = component.getFirstPropertyValue('dtstamp') as ICAL.Time | null;
    return {
      uid: event.uid,
      sequence: Number(component.getFirstPropertyValue('sequence') ?? 0),
      stamp: stamp ? stamp.toJSDate() : null,
      summary: event.summary,
      status: String(component.getFirstPropertyValue('status')),
      startUtc: event.startDate.toJSDate().toISOString(),
      endUtc: event.endDate.toJSDate().toISOString(),
      description: event.description,
      organizer: organizer ? address(organizer.getFirstValue()) : null,
      attendees,
    };
  });
  return { method: String(calendar.getFirstPropertyValue('method')), events };
}

export type ReadEvent = ReturnType<typeof readCalendar>['events'][number];

/** The one event of a calendar text, with the calendar's METHOD. */
export function onlyEvent(text: string): ReadEvent & { method: string } {
  const { method, events } = readCalendar(text);
  if (events.length !== 1) throw new Error(`expected one event, found ${events.length}`);
  return { method, ...events[0]! };
}
