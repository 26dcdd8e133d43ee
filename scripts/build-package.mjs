// `npm run build` (and `prepare`): compiles lib/ to dist/ for the package, JavaScript and type declarations.
// tsc rewrites the `.ts` import specifiers of the JavaScript to `.js` (rewriteRelativeImportExtensions), but leaves
// them as written in the declarations; TypeScript 5 resolves those too, older consumers do not, so they are rewritten
// here. The files that are not TypeScript (plain JavaScript process entries, the console page) are copied beside them.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const relativeTsSpecifier = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g;
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const file = path.join(entry.parentPath, entry.name);
  writeFileSync(file, readFileSync(file, 'utf8').replace(relativeTsSpecifier, '$1$2.js$3'));
}
// Every file of lib/ that runs or is served as it is: plain JavaScript processes (the emulator's entry, the leash)
// and the console page with its scripts (console-*.js).
const lib = path.join(root, 'lib');
for (const entry of readdirSync(lib, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.(mjs|html)$|^console-[\w-]+\.js$/.test(entry.name)) continue;
  const asset = path.relative(lib, path.join(entry.parentPath, entry.name));
  cpSync(path.join(lib, asset), path.join(dist, asset));
}
