/**
 * What each audit action means, in words a coordinator reads on the audit trail page. An action
 * missing here (a feature added later) is still shown, with its code made readable.
 */
export const actionNames: Record<string, string> = {
  // Signing in and accounts
  signed_in: 'Signed in',
  sign_in_refused: 'Sign-in refused',
  sign_in_throttled: 'Sign-in held back after too many attempts',
  sign_in_link_requested: 'Sign-in link asked for',
  sign_in_link_used: 'Used a sign-in link (security code next)',
  sign_in_link_refused: 'Sign-in link refused',
  provider_sign_in_refused: 'Sign-in with a provider (NHSmail, CIS2) refused',
  provider_sign_in_first_step: 'Signed in with a provider (security code next)',
  provider_linked: 'Connected a sign-in provider (NHSmail, CIS2) to their account',
  provider_unlinked: 'Removed a sign-in provider from their account',
  two_step_refused: 'Two-step sign-in code refused',
  two_step_throttled: 'Two-step sign-in held back after too many wrong codes',
  two_step_enabled: 'Two-step sign-in turned on',
  two_step_turned_off: 'Two-step sign-in turned off',
  two_step_reset: 'Two-step sign-in reset',
  two_step_recovery_codes_replaced: 'Two-step recovery codes replaced',
  registered: 'Registered as a link worker',
  registration_refused: 'Asked to register with an address that already has an account',
  email_confirmed: 'Confirmed their email address',
  invitation_created: 'Invited someone',
  invitation_accepted: 'Accepted an invitation',
  password_reset_requested: 'Password reset asked for',
  password_reset: 'Changed their password with a reset link',
  role_changed: 'Changed someone’s role',
  account_disabled: 'Disabled an account',
  account_enabled: 'Enabled an account',
  person_erased: 'Erased a person’s account',
  coordinator_created_by_operator: 'Coordinator created by the operator',
  message_preferences_changed: 'Changed which emails they get',
  calendar_feed_reset: 'Replaced their calendar feed address',
  message_sent_again: 'Sent an email again after delivery stopped',
  // Bookings
  booking_confirmed: 'Booked a place',
  booking_waitlisted: 'Joined a waiting list',
  booking_cancelled: 'Cancelled a place',
  waiting_list_left: 'Left a waiting list',
  booking_promoted: 'Given a place from the waiting list',
  // At the door and after
  attendance_recorded: 'Recorded attendance',
  walk_in_added: 'Added a walk-in',
  attendance_self_checked_in: "Checked in with the session's QR code",
  booking_made_for_colleague: 'Booked a place for a colleague',
  register_completed: 'Completed a register',
  feedback_given: 'Gave feedback',
  feedback_changed: 'Changed their feedback',
  missed_reason_given: 'Said what got in the way',
  referrals_recorded: 'Recorded referrals',
  // Publishing
  organisation_created: 'Added an organisation',
  organisation_updated: 'Changed an organisation',
  venue_created: 'Added a venue',
  venue_updated: 'Changed a venue',
  venue_archived: 'Archived a venue',
  venue_restored: 'Restored a venue',
  offer_created: 'Added an activity',
  offer_updated: 'Changed an activity',
  offer_archived: 'Archived an activity',
  offer_restored: 'Restored an activity',
  session_created: 'Added a taster session',
  session_updated: 'Changed a taster session',
  session_published: 'Published a taster session',
  session_cancelled: 'Cancelled a taster session',
  session_deleted: 'Deleted a draft session',
  session_message_sent: 'Sent a message to the people of a taster session',
  places_kept_for_pcn: 'Kept places of a session for a PCN',
  places_given_back: 'Gave back places kept for a PCN',
  session_minimum_set: 'Set the bookings a session needs to run',
  session_run_anyway: 'Chose to run a session short of its minimum',
};

export function actionName(action: string): string {
  const known = actionNames[action];
  if (known) return known;
  const words = action.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
