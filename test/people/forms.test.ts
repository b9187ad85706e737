import t from 'tap';
import { uniqueEmail } from '../fixtures/accounts.ts';
import { createOrganisation, createUser, PASSWORD } from '../fixtures/builders.ts';
import { checkFormRejectsBadInput } from '../fixtures/forms.ts';
import { buildTestApp, createTestDatabase, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const coordinator = await createUser(db, 'coordinator');
const organisation = await createOrganisation(db);
const person = await createUser(db, 'link_worker');

const visitor = new Visitor(app);
await visitor.signIn(coordinator.email, PASSWORD);

/** The coordinator, having just loaded the page the form is on. */
function opener(page: string, url: string) {
  return async () => {
    await visitor.get(page);
    return { visitor, url };
  };
}

const organisationRule = 'Select the organisation this person works for';

t.test('invite someone', async (t) => {
  checkFormRejectsBadInput(t, db, {
    open: opener('/people/invite', '/people/invite'),
    valid: { email: uniqueEmail('invitee'), role: 'provider', organisationId: organisation.id },
    required: { email: 'Enter the email address of the person to invite', role: 'Select a role', organisationId: organisationRule },
    requiredIfOthersValid: ['organisationId'],
    tooLong: { email: { length: 255, message: 'Email address must be 254 characters or fewer' } },
    malformed: [
      { field: 'email', value: 'not an email', message: 'Enter an email address in the correct format, like name@nhs.net' },
      { field: 'role', value: 'administrator', message: 'Select a role' },
      { field: 'organisationId', value: 'not-an-id', message: organisationRule },
      { field: 'organisationId', value: '00000000-0000-4000-8000-000000000000', message: organisationRule },
    ],
    kept: ['email'],
    breaker: { organisationId: '' },
    otherBreaker: { email: '' },
  });
});

t.test('change a role', async (t) => {
  checkFormRejectsBadInput(t, db, {
    open: opener(`/people/${person.id}`, `/people/${person.id}/role`),
    valid: { role: 'provider', organisationId: organisation.id },
    required: { role: 'Select a role', organisationId: organisationRule },
    requiredIfOthersValid: ['organisationId'],
    malformed: [
      { field: 'role', value: 'administrator', message: 'Select a role' },
      { field: 'organisationId', value: "1' or '1'='1", message: organisationRule },
      { field: 'organisationId', value: '00000000-0000-4000-8000-000000000000', message: organisationRule },
    ],
    kept: [],
    breaker: { organisationId: '' },
    otherBreaker: { role: '' },
  });
  const after = await db.selectFrom('users').select(['role', 'organisationId']).where('id', '=', person.id).executeTakeFirstOrThrow();
  t.same(after, { role: 'link_worker', organisationId: null }, 'the person is unchanged after every refused form');
});
