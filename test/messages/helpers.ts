import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { PgBoss } from 'pg-boss';
import { SMTPServer } from 'smtp-server';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createBoss } from '../../src/messages/boss.ts';
import type { TestDatabase } from '../helper.ts';

type Teardown = { teardown: (fn: () => unknown) => void };

export type ReceivedMail = { messageId: string; to: string[]; raw: string };

export type TestSmtp = {
  url: string;
  /** Messages the server accepted, in order. */
  accepted: ReceivedMail[];
  /** Message-IDs of the messages it refused, in order. */
  refused: string[];
  /** Refuse the next `count` messages with "451 try again later". */
  refuseNext: (count: number) => void;
};

/**
 * A real SMTP server on a loopback port, recording what it accepts. Delivery tests talk to it over
 * the network exactly as they would to a mail relay: nothing in the mailer is mocked.
 */
export async function startSmtp(t: Teardown): Promise<TestSmtp> {
  const accepted: ReceivedMail[] = [];
  const refused: string[] = [];
  let toRefuse = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '';
        if (toRefuse > 0) {
          toRefuse--;
          refused.push(messageId);
          const error = Object.assign(new Error('Try again later'), { responseCode: 451 });
          callback(error);
          return;
        }
        accepted.push({ messageId, to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, accepted, refused, refuseNext: (count) => (toRefuse = count) };
}

/**
 * A started pg-boss on the test database: sharing PGlite's connection, or on PostgreSQL in a schema
 * of its own beside the test schema, dropped afterwards. Several calls give several instances on
 * the same queue, as several app instances would be.
 */
export async function startTestBoss(t: Teardown, database: TestDatabase, schema: string): Promise<PgBoss> {
  const handle = database as DatabaseHandle;
  const boss = createBoss(handle, { databaseUrl: process.env.TEST_DATABASE_URL, schema, schedule: false, poolSize: 3 });
  await boss.start();
  t.teardown(() => boss.stop({ graceful: false, timeout: 2_000 }));
  return boss;
}

/** A pg-boss schema name for one test file, and how to remove it when the file is done (PostgreSQL). */
export function bossSchema(database: TestDatabase): { name: string; drop: () => Promise<void> } {
  const name = `boss_${randomBytes(5).toString('hex')}`;
  return {
    name,
    drop: async () => {
      if (database.kind === 'postgres') await sql`drop schema if exists ${sql.id(name)} cascade`.execute(database.db);
    },
  };
}

/**
 * Waits for something the worker does in the background, checking every 50 ms; fails after
 * `timeoutMs`. It waits for a state, never for a time: a fast machine passes at once.
 */
export async function waitFor<T>(check: () => Promise<T | false | null | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
