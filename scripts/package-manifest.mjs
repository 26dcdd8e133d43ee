// `prepack` and `postpack`: the packed package.json leaves out `prepare`. The tarball ships dist/ built already, and
// npm 11 asks whoever installs a package with an install-time script to approve it; the repository keeps `prepare`,
// so that an install from its git URL still builds. `strip` keeps the manifest as written, `restore` puts it back
// (npm runs postpack after a successful pack; a failed one leaves the original beside it, which `restore` also takes).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const manifest = path.resolve(import.meta.dirname, '..', 'package.json');
const kept = `${manifest}.unpacked`;

const [action] = process.argv.slice(2);
if (action === 'strip') {
  if (!existsSync(kept)) renameSync(manifest, kept);
  const json = JSON.parse(readFileSync(kept, 'utf8'));
  delete json.scripts.prepare;
  writeFileSync(manifest, `${JSON.stringify(json, null, 2)}\n`);
} else if (action === 'restore') {
  if (existsSync(kept)) renameSync(kept, manifest);
} else {
  console.error(`package-manifest: unknown action '${action ?? ''}'; use strip or restore`);
  process.exit(2);
}
