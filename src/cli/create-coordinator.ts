import { parseArgs } from 'node:util';
import { z } from 'zod';
import { hashPassword, newPassword } from '../accounts/passwords.ts';
import { recordAudit } from '../audit/record.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { directDatabaseOptions } from '../db/connections.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { emailAddress, requiredText } from '../lib/forms.ts';

// The operator's way to make the first coordinator on a new deployment. The password is read
// from TASTERS_PASSWORD or standard input, never from the command line (it would sit in shell history).
const usage = 'Usage: npm run create-coordinator -- --email helen@nhs.net --name "Helen Okafor"  (password from TASTERS_PASSWORD or standard input)';

const input = z.object({
  email: emailAddress('Give --email'),
  name: requiredText('Give --name', 100, 'The name must be 100 characters or fewer'),
  password: newPassword,
});

async function readPassword(): Promise<string> {
  if (process.env.TASTERS_PASSWORD) return process.env.TASTERS_PASSWORD;
  if (process.stdin.isTTY) process.stdout.write('Password (12 characters or more): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

try {
  const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } } });
  const parsed = input.safeParse({ ...values, password: await readPassword() });
  if (!parsed.success) {
    console.error(`${parsed.error.issues[0]?.message ?? 'Those details are not valid.'}\n${usage}`);
    process.exit(2);
  }
  const config = loadConfig();
  const { db, close } = await openDatabase(directDatabaseOptions(config, 2));
  await migrateToLatest(db);
  const passwordHash = await hashPassword(parsed.data.password);
  const created = await db.transaction().execute(async (tx) => {
    const user = await tx
      .insertInto('users')
      .values({ email: parsed.data.email, name: parsed.data.name, role: 'coordinator', passwordHash, status: 'active' })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (user) await recordAudit(tx, { actorId: null, action: 'coordinator_created_by_operator', subjectType: 'user', subjectId: user.id });
    return user;
  });
  await close();
  if (!created) {
    console.error(`There is already an account for ${parsed.data.email}.`);
    process.exit(1);
  }
  console.log(`Created coordinator ${parsed.data.email}. They can sign in now.`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Could not create the coordinator: ${(error as Error).message}`);
  process.exit(1);
}
