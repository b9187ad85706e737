/**
 * `npm run build` (run before `npm start`): bundles the server and its dependencies into one file,
 * dist/server.js, which is what a deployment runs. Loading about 250 TypeScript files and the
 * packages they import through Node's module loader and type stripping took most of the start-up
 * time and memory (README, Performance); one plain JavaScript file takes a fraction of both.
 * Templates, static files and migrations stay where they are and are found from the project root
 * (src/lib/project-root.ts), so the bundle must stay inside the project folder.
 */
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
    // and pg's optional native driver, which is not installed.
    external: ['@node-rs/argon2', '@electric-sql/pglite', 'pg-native'],
    // Some bundled CommonJS packages call require() for Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

if (import.meta.main) await buildServer();
