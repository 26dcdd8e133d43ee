/**
 * The oldest Node.js Postbox runs on, as package.json's `engines` claims (the package test runs a scaffolded
 * service's tests on exactly this version). 22.18 is the first 22.x that loads a `.ts` config with Node's own type
 * stripping, on by default; the embedded emulator's `node:sqlite` needs 22.13 without a flag.
 */
export const MINIMUM_NODE_VERSION = '22.18.0';

/** Why `version` cannot run Postbox, or undefined when it can. */
export function unsupportedNodeReason(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [minimumMajor, minimumMinor] = MINIMUM_NODE_VERSION.split('.').map(Number) as [number, number];
  if (major > minimumMajor || (major === minimumMajor && minor >= minimumMinor)) return undefined;
  return `Postbox needs Node.js ${minimumMajor}.${minimumMinor} or later, and this is ${version}; install Node.js 24 (what Postbox is tested on), e.g. 'nvm install 24'`;
}
