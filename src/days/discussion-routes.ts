import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../lib/forms.ts';
import { londonParts } from '../lib/london-time.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { csvDateTime, csvFilename, csvStream } from '../reports/csv.ts';
import { fieldErrorFrom, flashFor, formPage } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, userOf } from '../web/request.ts';
import { addNote, authorRoleName, discussionAccess, groupsOf, listNotes, noteForm, noteKindName, noteKinds, notesCloseAt } from './discussion.ts';
import * as q from './queries.ts';

/** The day's discussion: read and added to on a page, exported as CSV for the organisers. */
export async function dayDiscussionRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('link_worker', 'provider', 'coordinator'));

  async function publishedDay(request: FastifyRequest) {
    const day = await q.findDay(db, paramsOf(idParams, request).id);
    if (!day || day.status === 'draft') throw new NotFoundError();
    return day;
  }

  async function discussionPage(
    request: FastifyRequest,
    reply: FastifyReply,
    day: q.DayDetails,
    input: { values?: Record<string, string>; errors?: FieldErrors } = {},
  ) {
    const access = await discussionAccess(db, userOf(request), day);
    const notes = await listNotes(db, day.id);
    return formPage(reply, 'days/discussion.eta', {
      title: `What the room said: ${day.title}`,
      day,
      groups: groupsOf(notes).map((g) => ({
        ...g,
        kinds: g.kinds.map((k) => ({ ...k, notes: k.notes.map((n) => ({ text: n.text, by: authorRoleName[n.authorRole] })) })),
      })),
      count: notes.length,
      access,
      canExport: userOf(request).role === 'coordinator',
      closesAt: notesCloseAt(day),
      kinds: noteKinds.map(([value, text]) => ({ value, text })),
      values: input.values ?? {},
      errors: input.errors ?? {},
      flash: flashFor(request.query, { added: 'Added to the discussion' }),
      backLink: { href: `/days/${day.id}`, text: `Back to ${day.title}` },
    });
  }

  app.get('/days/:id/discussion', async (request, reply) => discussionPage(request, reply, await publishedDay(request)));

  app.post('/days/:id/discussion', fieldsChecked, async (request, reply) => {
    const day = await publishedDay(request);
    // Refused before the form is read for anyone who may not see the discussion.
    await discussionAccess(db, userOf(request), day);
    const form = parseForm(noteForm, request.body);
    if (!form.ok) return discussionPage(request, reply, day, { values: form.values, errors: form.errors });
    try {
      await db.transaction().execute((tx) => addNote(tx, actorOf(request), day.id, form.value));
    } catch (error) {
      const errors = fieldErrorFrom(error, 'add');
      if (!errors) throw error;
      return discussionPage(request, reply, day, { values: formValues(request.body), errors });
    }
    return reply.redirect(`/days/${day.id}/discussion?done=added`, 303);
  });

  // For funders and research: the notes only, each with its author's role, never a name.
  app.get('/days/:id/discussion.csv', { preHandler: requireRole('coordinator') }, async (request, reply) => {
    const day = await publishedDay(request);
    const rows = (await listNotes(db, day.id)).map((n) => ({
      group: n.groupName,
      kind: noteKindName[n.kind],
      text: n.text,
      by: authorRoleName[n.authorRole],
      at: csvDateTime(n.createdAt),
    }));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${csvFilename('discussion', day.title, londonParts(day.startsAt).isoDate)}"`)
      .header('cache-control', 'no-store')
      .send(
        csvStream(rows, [
          { key: 'group', header: 'Group' },
          { key: 'kind', header: 'Kind' },
          { key: 'text', header: 'What the group said' },
          { key: 'by', header: 'Added by' },
          { key: 'at', header: 'Added at' },
        ]),
      );
  });
}
