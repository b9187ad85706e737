/**
 * `npm run build` (run before `npm start`): bundles the server and its dependencies into one file,
 * dist/server.js, which is what a deployment runs. Loading about 250 TypeScript files and the
 * packages they import through Node's module loader and type stripping took most of the start-up
 * time and memory (README, Performance); one plain JavaScript file takes a fraction of both.
 * Templates, static files and migrations stay where they are and are found from the project root
 * (src/lib/project-root.ts), so the bundle must stay inside the project folder.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The server as deployed. */
export function buildServer(outfile = path.join(root, 'dist', 'server.js')): Promise<void> {
  return bundle(path.join(root, 'src', 'server.ts'), outfile);
}

/** Any entry point the same way (`npm run bench` runs its servers so, to measure what is deployed). */
export async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // Smaller to read and parse at every start; names kept, since Fastify and our errors report them.
    minify: true,
    keepNames: true,
    legalComments: 'external',
    // A native addon, the embedded database (which loads its own WebAssembly from beside itself),
    // pg's optional native driver, which is not installed, and the bank holidays (1.4 MB with the
    // time zones and calendars they bring, which only the series form reads, on first use).
    external: ['@node-rs/argon2', '@electric-sql/pglite', 'pg-native', 'date-holidays'],
    // Some bundled CommonJS packages call require() for Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  assertOneByteSource(outfile);
}

/**
 * Node keeps a script's source in memory one byte a character only if the file is plain ASCII:
 * a single curly quote or pound sign in a regular expression (which esbuild leaves as written)
 * doubled the bundle's 5 MB to 10 MB in every running server. Write such characters as \u escapes.
 */
function assertOneByteSource(file: string): void {
  const bytes = readFileSync(file);
  const at = bytes.findIndex((byte) => byte > 0x7f);
  if (at >= 0) {
    const character = bytes
      .subarray(at, at + 4)
      .toString('utf8')
      .charAt(0);
    const context = bytes.subarray(Math.max(0, at - 60), at + 20).toString('utf8');
    throw new Error(
      `${path.relative(root, file)} has a character beyond ASCII (${JSON.stringify(character)} in …${context}…): write it as a \\u escape in the source`,
    );
  }
}

if (import.meta.main) await buildServer();
