import type { Tx } from '../db/database.ts';
import type { Role } from '../db/tables/accounts.ts';
import { type OfferCategory, offerCategories } from '../db/tables/publishing.ts';
import { must } from './must.ts';
import type { Random } from './random.ts';

export const DEMO_PASSWORD = 'demo password 2026';

/** The accounts the README lists, for people to sign in with. */
export const demoAccounts: Array<{ email: string; name: string; role: Role; organisation?: string; practice?: string; pcn?: string }> = [
  { email: 'helen.coordinator@nhs.net', name: 'Helen Okafor', role: 'coordinator' },
  { email: 'amira@riverside-museum.example.org', name: 'Amira Haddad', role: 'provider', organisation: 'Riverside Museum' },
  { email: 'tom@botanic-garden.example.org', name: 'Tom Wright', role: 'provider', organisation: 'Botanic Garden' },
  { email: 'dev.linkworker@nhs.net', name: 'Dev Sharma', role: 'link_worker', practice: 'Jericho Health Centre', pcn: 'Central Oxford PCN' },
  { email: 'sam.linkworker@nhs.net', name: 'Sam Green', role: 'link_worker', practice: 'Cowley Road Surgery', pcn: 'East Oxford PCN' },
];

/** The area's other link workers: they cannot sign in (no password), they give the reports their people. */
const areaLinkWorkers: Array<{ name: string; practice: string; pcn: string }> = [
  { name: 'Priya Patel', practice: 'Jericho Health Centre', pcn: 'Central Oxford PCN' },
  { name: 'Tom Baker', practice: 'Summertown Health Centre', pcn: 'Central Oxford PCN' },
  { name: 'Grace Owusu', practice: 'St Bartholomew’s Surgery', pcn: 'Central Oxford PCN' },
  { name: 'Rachel Stone', practice: 'King Edward Street Practice', pcn: 'Central Oxford PCN' },
  { name: 'Aidan Murphy', practice: 'Summertown Health Centre', pcn: 'Central Oxford PCN' },
  { name: 'Fatima Begum', practice: 'St Bartholomew’s Surgery', pcn: 'Central Oxford PCN' },
  { name: 'Hamza Rahman', practice: 'King Edward Street Practice', pcn: 'Central Oxford PCN' },
  { name: 'Laura Jenkins', practice: 'Jericho Health Centre', pcn: 'Central Oxford PCN' },
  { name: 'Lucy Chen', practice: 'Cowley Road Surgery', pcn: 'East Oxford PCN' },
  { name: 'Mohammed Ali', practice: 'Temple Cowley Health Centre', pcn: 'East Oxford PCN' },
  { name: 'Ellie Morgan', practice: 'Hollow Way Medical Centre', pcn: 'East Oxford PCN' },
  { name: 'Kwame Mensah', practice: 'Donnington Health Centre', pcn: 'East Oxford PCN' },
  { name: 'Niamh O’Connor', practice: 'Temple Cowley Health Centre', pcn: 'East Oxford PCN' },
  { name: 'Joe Whitfield', practice: 'Hollow Way Medical Centre', pcn: 'East Oxford PCN' },
  { name: 'Tanisha Brown', practice: 'Donnington Health Centre', pcn: 'East Oxford PCN' },
  { name: 'Marek Zielinski', practice: 'Cowley Road Surgery', pcn: 'East Oxford PCN' },
  { name: 'Daniel Kowalski', practice: 'Bury Knowle Health Centre', pcn: 'Headington PCN' },
  { name: 'Sara Nilsson', practice: 'Manor Surgery', pcn: 'Headington PCN' },
  { name: 'Ruth Adeyemi', practice: 'Highfield Surgery', pcn: 'Headington PCN' },
  { name: 'Callum Fraser', practice: 'Morland House Surgery', pcn: 'Headington PCN' },
  { name: 'Mei Ling Wong', practice: 'Manor Surgery', pcn: 'Headington PCN' },
  { name: 'Imran Hussain', practice: 'Bury Knowle Health Centre', pcn: 'Headington PCN' },
  { name: 'Catherine Bell', practice: 'Highfield Surgery', pcn: 'Headington PCN' },
  { name: 'Yusuf Demir', practice: 'Morland House Surgery', pcn: 'Headington PCN' },
  { name: 'James Okoro', practice: 'Kidlington Surgery', pcn: 'North Oxford PCN' },
  { name: 'Hannah Reid', practice: 'Woodstock Surgery', pcn: 'North Oxford PCN' },
  { name: 'Zofia Nowak', practice: 'Banbury Road Medical Centre', pcn: 'North Oxford PCN' },
  { name: 'Peter Hollis', practice: 'Yarnton Health Centre', pcn: 'North Oxford PCN' },
  { name: 'Amara Eze', practice: 'Kidlington Surgery', pcn: 'North Oxford PCN' },
  { name: 'Eleanor Walsh', practice: 'Woodstock Surgery', pcn: 'North Oxford PCN' },
  { name: 'Kofi Asante', practice: 'Banbury Road Medical Centre', pcn: 'North Oxford PCN' },
  { name: 'Sophie Turner', practice: 'Abingdon Surgery', pcn: 'Abingdon PCN' },
  { name: 'Rajesh Gupta', practice: 'Malthouse Surgery', pcn: 'Abingdon PCN' },
  { name: 'Megan Price', practice: 'Long Furlong Medical Centre', pcn: 'Abingdon PCN' },
  { name: 'Owen Davies', practice: 'Malthouse Surgery', pcn: 'Abingdon PCN' },
  { name: 'Gemma Harris', practice: 'Abingdon Surgery', pcn: 'Abingdon PCN' },
  { name: 'Arjun Mehta', practice: 'Long Furlong Medical Centre', pcn: 'Abingdon PCN' },
  { name: 'Beth Collins', practice: 'Malthouse Surgery', pcn: 'Abingdon PCN' },
  // Banbury's link workers have not tried any taster yet: the coverage report shows it.
  { name: 'Olivia Hughes', practice: 'Horsefair Surgery', pcn: 'Banbury PCN' },
  { name: 'Ben Carter', practice: 'West Bar Surgery', pcn: 'Banbury PCN' },
  { name: 'Kirsty Doyle', practice: 'Woodlands Surgery', pcn: 'Banbury PCN' },
];

/** A link worker and how they use tasters: what a real one might do, not what a database can hold. */
export type DemoLinkWorker = {
  id: string;
  email: string;
  pcn: string;
  /** How many tasters they book in a full quarter: a few, around their other work. */
  perQuarter: number;
  /** Some never get round to recording referrals, whatever they thought of a taster. */
  refers: boolean;
  /** The kinds of activity they lean towards; they still try others. */
  likes: OfferCategory[];
};

/** The two demo link workers keep a steady pace, so what they see does not depend on chance. */
const demoLinkWorkerPace: Record<string, number> = { 'dev.linkworker@nhs.net': 3, 'sam.linkworker@nhs.net': 2 };

export async function insertPeople(tx: Tx, organisationIds: Map<string, string>, passwordHash: string, random: Random): Promise<DemoLinkWorker[]> {
  const accounts = demoAccounts.map((a) => ({
    email: a.email,
    name: a.name,
    role: a.role,
    organisationId: a.organisation ? must(organisationIds.get(a.organisation), a.organisation) : null,
    practice: a.practice ?? null,
    pcn: a.pcn ?? null,
    passwordHash,
    status: 'active' as const,
  }));
  const others = areaLinkWorkers.map((p, i) => ({
    email: `demo.linkworker${String(i + 1).padStart(2, '0')}@nhs.net`,
    name: p.name,
    role: 'link_worker' as const,
    organisationId: null,
    practice: p.practice,
    pcn: p.pcn,
    passwordHash: null,
    status: 'active' as const,
  }));
  const rows = await tx
    .insertInto('users')
    .values([...accounts, ...others])
    .returning(['id', 'email'])
    .execute();
  const idOf = new Map(rows.map((r) => [r.email, r.id]));

  const categories = offerCategories.filter((c) => c !== 'other');
  return [...accounts, ...others]
    .filter((a) => a.role === 'link_worker')
    .map((a, i) => ({
      id: must(idOf.get(a.email), a.email),
      email: a.email,
      pcn: must(a.pcn, `the PCN of ${a.email}`),
      perQuarter: a.pcn === 'Banbury PCN' ? 0 : (demoLinkWorkerPace[a.email] ?? random.pick([1, 2, 2, 3, 3, 3, 4, 4, 5])),
      // One in four never records a referral; Sam, a demo account, is one of them.
      refers: a.email !== 'sam.linkworker@nhs.net' && i % 4 !== 3,
      likes: random.shuffle(categories).slice(0, 3),
    }));
}
