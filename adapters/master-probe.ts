/**
 * Whether a Determined master answers at the address its stack recorded: one unauthenticated
 * `GET /info` (Determined serves it without login), no credentials, no cookies, no redirects
 * followed (a 3xx is "unreachable"), only http(s) URLs. The control plane never sends a password to
 * a master: the masters serve plain HTTP, so any password would cross the network in clear text
 * (docs/adr/0019-reaper-probe-without-credentials.md).
 */
import type { MasterProbe } from '../core/ports.ts';

export class HttpMasterProbe implements MasterProbe {
  constructor(private readonly options: { timeoutMs: number }) {}

  async reachable(masterUrl: string): Promise<'reachable' | 'unreachable'> {
    let url: URL;
    try {
      url = new URL('/info', masterUrl);
    } catch {
      return 'unreachable';
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
      return 'unreachable';
    }
    try {
      const response = await fetch(url, {
        method: 'GET',
        redirect: 'manual',
        credentials: 'omit',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 300 ? 'reachable' : 'unreachable';
    } catch {
      return 'unreachable';
    }
  }
}
