import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header in which the console's page sends its token on every API call. */
export const CONSOLE_TOKEN_HEADER = 'x-postbox-token';

/** A fresh random token for one run of the console. */
export function createConsoleToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Decides which requests the local console answers. Any web page the developer
 * visits can send requests to 127.0.0.1: a cross-origin form POST needs no
 * preflight, and DNS rebinding makes a foreign host name resolve to loopback.
 * So the console answers loopback host names only, refuses any other origin,
 * and its API requires the per-run token, which only its own page holds.
 */
export class ConsoleGuard {
  private readonly hosts: ReadonlySet<string>;
  private readonly origins: ReadonlySet<string>;
  private readonly token: Buffer;

  constructor(port: number, token: string) {
    this.hosts = new Set(['127.0.0.1', 'localhost', '[::1]'].map((name) => `${name}:${port}`));
    this.origins = new Set([...this.hosts].map((host) => `http://${host}`));
    this.token = Buffer.from(token);
  }

  /** Why the request is refused, in one line; undefined when it may be answered. */
  refusal(request: IncomingMessage, api: boolean): string | undefined {
    const host = request.headers.host?.toLowerCase();
    if (!host || !this.hosts.has(host)) {
      return `refused: Host ${host ?? '(none)'} is not this console (DNS rebinding?); open the console at the address printed when it started`;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.origins.has(origin)) {
      return `refused: a request from origin ${origin}; the console's API answers its own page only`;
    }
    if (!api) return undefined;
    // Requests without an Origin (a GET by <img> or <script>) still say where they come from here.
    const site = request.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      return `refused: a ${site} request; the console's API answers its own page only`;
    }
    const given = Buffer.from(String(request.headers[CONSOLE_TOKEN_HEADER] ?? ''));
    if (given.length !== this.token.length || !timingSafeEqual(given, this.token)) {
      return `refused: missing or wrong console token; open the console at the address printed when it started (it ends in ?token=…)`;
    }
    return undefined;
  }
}
