import { hashPassword } from '../accounts/passwords.ts';
import type { Role } from '../accounts/tables.ts';
import type { Db } from '../db/database.ts';
import { seedPublishingDemo } from '../provider/demo.ts';
import { seedOutcomesDemo } from '../reports/demo.ts';

export const DEMO_PASSWORD = 'demo password 2026';

export const demoOrganisations = [
  { name: 'Riverside Museum', kind: 'museum', description: 'City museum of local history, with a learning team that runs object handling and reminiscence sessions.', website: 'https://example.org/riverside-museum', contactEmail: 'learning@riverside-museum.example.org' },
  { name: 'Botanic Garden', kind: 'garden', description: 'Historic walled garden with glasshouses and a volunteer gardening programme.', website: 'https://example.org/botanic-garden', contactEmail: 'volunteer@botanic-garden.example.org' },
  { name: 'Central Library', kind: 'library', description: 'The town centre library: reading groups, creative writing and digital help.', website: 'https://example.org/central-library', contactEmail: 'events@central-library.example.org' },
  { name: 'Open Door Arts', kind: 'arts', description: 'Community arts group running singing, dance and drawing groups across the town.', website: 'https://example.org/open-door-arts', contactEmail: 'hello@open-door-arts.example.org' },
] as const;

export const demoAccounts: Array<{ email: string; name: string; role: Role; organisation?: string; practice?: string; pcn?: string }> = [
  { email: 'helen.coordinator@nhs.net', name: 'Helen Okafor', role: 'coordinator' },
  { email: 'amira@riverside-museum.example.org', name: 'Amira Haddad', role: 'provider', organisation: 'Riverside Museum' },
  { email: 'tom@botanic-garden.example.org', name: 'Tom Wright', role: 'provider', organisation: 'Botanic Garden' },
  { email: 'dev.linkworker@nhs.net', name: 'Dev Sharma', role: 'link_worker', practice: 'Jericho Health Centre', pcn: 'Central Oxford PCN' },
  { email: 'sam.linkworker@nhs.net', name: 'Sam Green', role: 'link_worker', practice: 'Cowley Road Surgery', pcn: 'East Oxford PCN' },
];

/** Fills an empty database with a small, believable area. Does nothing once anyone has an account. */
export async function seedDemoData(db: Db): Promise<boolean> {
  const existing = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction().execute(async (tx) => {
    const organisations = await tx
      .insertInto('organisations')
      .values(demoOrganisations.map((o) => ({ ...o })))
      .returning(['id', 'name'])
      .execute();
    const organisationId = (name?: string) => organisations.find((o) => o.name === name)?.id ?? null;
    await tx
      .insertInto('users')
      .values(
        demoAccounts.map((a) => ({
          email: a.email,
          name: a.name,
          role: a.role,
          organisationId: organisationId(a.organisation),
          practice: a.practice ?? null,
          pcn: a.pcn ?? null,
          passwordHash,
          status: 'active' as const,
        })),
      )
      .execute();
    // Venues, offers and taster sessions: six weeks back and six ahead of today.
    await seedPublishingDemo(tx);
    // Attendance, feedback and referrals at past tasters, so the reports have a story to tell.
    await seedOutcomesDemo(tx);
  });
  return true;
}
