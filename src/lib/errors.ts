/** Every code a rule of the service can say no with: routes and tests match on these. */
export type DomainErrorCode =
  | 'all_dates_skipped'
  | 'already_cancelled'
  | 'already_erased'
  | 'already_published'
  | 'already_registered'
  | 'already_sent'
  | 'booking_closed'
  | 'capacity_below_bookings'
  | 'choice_required'
  | 'code_reused'
  | 'code_wrong'
  | 'domain_not_allowed'
  | 'draft_not_cancellable'
  | 'erased'
  | 'feedback_closed'
  | 'forbidden'
  | 'last_coordinator'
  | 'last_item'
  | 'last_taster'
  | 'not_attended'
  | 'not_booked'
  | 'not_draft'
  | 'proposal_returned'
  | 'not_enabled'
  | 'not_found'
  | 'not_missed'
  | 'notes_closed'
  | 'nothing_to_publish'
  | 'not_enough_places'
  | 'offer_archived'
  | 'offer_not_found'
  | 'organisation_name_taken'
  | 'organisation_required'
  | 'own_account'
  | 'own_role'
  | 'own_taster'
  | 'pcn_already_held'
  | 'programme_outside'
  | 'register_closed'
  | 'register_not_open'
  | 'session_cancelled'
  | 'session_full'
  | 'session_not_published'
  | 'session_over'
  | 'session_started'
  | 'slot_overlaps'
  | 'still_trying'
  | 'throttled'
  | 'time_skipped'
  // Changing a series, and messaging the people of a session (issue 16).
  | 'not_in_series'
  | 'time_passed'
  | 'nobody_to_message'
  | 'message_limit_reached'
  | 'two_step_required'
  | 'unconfirmed'
  | 'unknown_link_worker'
  | 'venue_not_found'
  | 'wrong_password'
  // A single-use link that does not work, by why (src/accounts/service.ts LinkState).
  | `link_${'expired' | 'used' | 'replaced' | 'unknown'}`;

/**
 * A rule of the service said no. The code is stable (tests and routes match on it); the message
 * is written for the person using the page.
 */
export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly field: string | undefined;
  constructor(code: DomainErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.field = field;
  }
}

export class NotFoundError extends DomainError {
  constructor(message = 'Page not found') {
    super('not_found', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You do not have permission to see this page') {
    super('forbidden', message);
  }
}

/**
 * Input refused at the edge, before any route read it: hidden characters, text that is not valid
 * UTF-8, or a value far longer than any field takes. Answered with a 400 page saying what to do.
 */
export class HostileInputError extends Error {
  readonly statusCode = 400;
  readonly code = 'hostile_input';
  readonly title: string;
  constructor(kind: 'address' | 'hidden' | 'too-long' | 'unreadable') {
    super(hostileInputMessages[kind].message);
    this.name = 'HostileInputError';
    this.title = hostileInputMessages[kind].title;
  }
}

const hostileInputMessages = {
  address: {
    title: 'This page address is not right',
    message: 'The address has characters in it that no page of this service uses. Check it, or go back and follow the link again.',
  },
  hidden: {
    title: 'What you sent has characters the service cannot accept',
    message:
      'It has hidden characters in it, such as control codes copied from another program. Go back, type the text again rather than pasting it, and send it again.',
  },
  'too-long': {
    title: 'What you sent is too long',
    message: 'Something you sent is longer than any answer this service takes. Go back, shorten it and send it again.',
  },
  unreadable: {
    title: 'What you sent could not be read',
    message: 'It was not sent as readable text. Go back to the page and send it again.',
  },
} as const;
