import { endSessionsOf } from '../accounts/queries.ts';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import type { Role } from '../db/tables/accounts.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { lockPerson, organisationExists, setPersonRole, setPersonStatus } from './queries.ts';

async function personForChange(tx: Tx, id: string) {
  const person = await lockPerson(tx, id);
  if (!person) throw new NotFoundError();
  return person;
}

export async function changeRole(tx: Tx, actor: Actor, personId: string, role: Role, organisationId: string | null) {
  if (personId === actor.id) {
    throw new DomainError('own_role', 'You cannot change your own role. Ask another coordinator', 'role');
  }
  const person = await personForChange(tx, personId);
  if (person.erasedAt) throw new DomainError('erased', 'This person’s data has been erased: their account cannot be used again', 'status');
  if (role === 'provider') {
    if (!organisationId) throw new DomainError('organisation_required', 'Select the organisation this person works for', 'organisationId');
    if (!(await organisationExists(tx, organisationId))) {
      throw new DomainError('organisation_required', 'Select the organisation this person works for', 'organisationId');
    }
  }
  const newOrganisation = role === 'provider' ? organisationId : null;
  if (person.role === role && person.organisationId === newOrganisation) return;
  await setPersonRole(tx, personId, role, newOrganisation);
  // Their open pages were built for the old role: make them sign in again.
  await endSessionsOf(tx, personId);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'role_changed',
    subjectType: 'user',
    subjectId: personId,
    details: { from: person.role, to: role, organisationId: newOrganisation },
    address: actor.address ?? null,
  });
}

export async function setDisabled(tx: Tx, actor: Actor, personId: string, disabled: boolean) {
  if (personId === actor.id) throw new DomainError('own_account', 'You cannot disable your own account');
  const person = await personForChange(tx, personId);
  // An erased account is anonymous: bringing it back would give a nameless sign-in to nobody.
  if (person.erasedAt && !disabled) {
    throw new DomainError('erased', 'This person’s data has been erased: their account cannot be enabled again. Invite them afresh if they come back');
  }
  if (person.status === 'unconfirmed' && !disabled) {
    throw new DomainError('unconfirmed', 'This person has not confirmed their email address yet');
  }
  const status = disabled ? 'disabled' : 'active';
  if (person.status === status) return;
  await setPersonStatus(tx, personId, status);
  // Disabling ends every live session of theirs at once, on every instance.
  if (disabled) await endSessionsOf(tx, personId);
  await recordAudit(tx, {
    actorId: actor.id,
    action: disabled ? 'account_disabled' : 'account_enabled',
    subjectType: 'user',
    subjectId: personId,
    address: actor.address ?? null,
  });
}
