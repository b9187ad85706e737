import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json, views/, static/ and migrations/. Found by walking up rather than
 * by a fixed number of `..`, because the same code runs from src/ (type stripping) and from the one
 * built file dist/server.js, where every module's import.meta.url is that file's.
 */
export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(start: string): string {
  for (let folder = start; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'package.json'))) return folder;
    if (path.dirname(folder) === folder) throw new Error(`No package.json above ${start}: where is Tasters installed?`);
  }
}
