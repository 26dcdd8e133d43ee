// `prepack` and `postpack`: the packed package.json leaves out `prepare`. The tarball ships dist/ built already, and
// npm 11 asks whoever installs a package with an install-time script to approve it; the repository keeps `prepare`,
// so that an install from its git URL still builds.
//
// `strip` keeps the `prepare` script in package.json.unpacked and writes package.json without it; `restore` puts it
// back into package.json as it is now, edits and all, at its place among the scripts. A pack that failed between the
// two leaves package.json without `prepare`: the next `strip` (any pack) or `restore` (npm test) brings it back first.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const manifest = path.resolve(import.meta.dirname, '..', 'package.json');
const kept = `${manifest}.unpacked`;
const read = (file) => JSON.parse(readFileSync(file, 'utf8'));
const write = (json) => writeFileSync(manifest, `${JSON.stringify(json, null, 2)}\n`);

function restore() {
  if (!existsSync(kept)) return;
  const current = read(manifest);
  const { prepare } = read(kept);
  if (prepare !== undefined && current.scripts?.prepare === undefined) {
    // Where it was: before the script that followed it, else last.
    const entries = Object.entries(current.scripts ?? {});
    const at = entries.findIndex(([name]) => name === prepare.before);
    entries.splice(at === -1 ? entries.length : at, 0, ['prepare', prepare.script]);
    current.scripts = Object.fromEntries(entries);
    write(current);
  }
  rmSync(kept);
}

function strip() {
  restore();
  const current = read(manifest);
  const names = Object.keys(current.scripts ?? {});
  const at = names.indexOf('prepare');
  if (at === -1) return;
  writeFileSync(kept, `${JSON.stringify({ prepare: { script: current.scripts.prepare, before: names[at + 1] } }, null, 2)}\n`);
  delete current.scripts.prepare;
  write(current);
}

const [action] = process.argv.slice(2);
if (action === 'strip') strip();
else if (action === 'restore') restore();
else {
  console.error(`package-manifest: unknown action '${action ?? ''}'; use strip or restore`);
  process.exit(2);
}
