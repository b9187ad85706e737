import type { Role } from '../db/tables/accounts.ts';

/** The menu for each role. A feature adds its pages here when it lands. */
export const navigation: Record<Role, Array<[href: string, text: string]>> = {
  coordinator: [
    ['/', 'Home'],
    ['/find', 'Find tasters'],
    ['/days', 'Taster days'],
    ['/organisations', 'Organisations'],
    ['/people', 'People'],
    ['/open-data', 'Open data'],
    ['/reports', 'Reports'],
    ['/audit', 'Audit trail'],
  ],
  provider: [
    ['/', 'Home'],
    ['/provider', 'Your sessions'],
    ['/organisation', 'Your organisation'],
    ['/provider/feedback', 'Feedback'],
  ],
  link_worker: [
    ['/', 'Home'],
    ['/find', 'Find tasters'],
    ['/days', 'Taster days'],
    ['/my-bookings', 'My bookings'],
    ['/referrals', 'Referrals'],
    ['/my-record', 'My record'],
  ],
};
