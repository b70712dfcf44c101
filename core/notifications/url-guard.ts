/**
 * Where a webhook may point (contract: https on AWS; http to loopback only in the local runtime).
 * Checked twice: on the URL when a webhook is registered, and on every address the host name resolves
 * to when a delivery connects (adapters/webhook-transport.ts), so a name that later resolves to a
 * private or metadata address (DNS rebinding) is still refused.
 */
import { isIP } from 'node:net';

export interface UrlPolicy {
  /** The local runtime only: http:// to a loopback address or `localhost`. */
  allowLoopbackHttp: boolean;
}

const BLOCKED_HOST_SUFFIXES = ['.localhost', '.local', '.internal', '.intranet', '.lan', '.home.arpa'];
const BLOCKED_HOSTS = ['localhost', 'metadata', 'instance-data'];

/** IPv4 ranges that are never a public receiver: [first octets as a number, prefix length, name]. */
const V4_BLOCKED: [string, number, string][] = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (instance metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

function v4Number(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function v4Problem(address: string): { range: string; loopback: boolean } | undefined {
  const value = v4Number(address);
  for (const [base, bits, name] of V4_BLOCKED) {
    const size = 2 ** (32 - bits);
    const start = v4Number(base);
    if (value >= start && value < start + size) return { range: name, loopback: name === 'loopback' };
  }
  return undefined;
}

/** The 8 groups of an IPv6 address as numbers (an embedded IPv4 tail is two groups). */
function v6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0] ?? '';
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4Tail) {
    const value = v4Number(v4Tail);
    text = text.slice(0, -v4Tail.length) + `${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const first = parse(head);
  const last = tail === undefined ? [] : parse(tail);
  const fill = tail === undefined ? [] : Array<number>(8 - first.length - last.length).fill(0);
  return [...first, ...fill, ...last];
}

function v6Problem(address: string): { range: string; loopback: boolean } | undefined {
  const groups = v6Groups(address);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const zeroUpTo = (count: number) => groups.slice(0, count).every((group) => group === 0);
  if (zeroUpTo(7) && g7 === 0) return { range: 'unspecified', loopback: false };
  if (zeroUpTo(7) && g7 === 1) return { range: 'loopback', loopback: true };
  const embedded = `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible, NAT64 (64:ff9b::/96): judge the IPv4 address inside.
  if (
    (zeroUpTo(5) && g5 === 0xffff) ||
    zeroUpTo(6) ||
    (g0 === 0x64 && g1 === 0xff9b && !g2 && !g3 && !g4 && !g5)
  )
    return v4Problem(embedded);
  if ((g0 & 0xfe00) === 0xfc00) return { range: 'unique local (private)', loopback: false };
  if ((g0 & 0xffc0) === 0xfe80) return { range: 'link-local', loopback: false };
  if ((g0 & 0xff00) === 0xff00) return { range: 'multicast', loopback: false };
  if (g0 === 0x2001 && g1 === 0xdb8) return { range: 'documentation', loopback: false };
  return undefined;
}

/** Why a connection to this IP address is refused, or undefined when it may be used. */
export function addressProblem(address: string, policy: UrlPolicy): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const found = family === 4 ? v4Problem(address) : v6Problem(address);
  if (!found) return undefined;
  if (found.loopback && policy.allowLoopbackHttp) return undefined;
  return `${address} is a ${found.range} address`;
}

const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' ||
  (isIP(host) === 4 && host.startsWith('127.')) ||
  (isIP(host) === 6 && v6Problem(host)?.range === 'loopback');

/** Why this URL cannot be a webhook, or undefined when it can. */
export function webhookUrlProblem(text: string, policy: UrlPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL such as https://hooks.example.com/det';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not have a fragment (#...)';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const loopback = isLoopbackHost(host);
  if (url.protocol === 'http:') {
    if (!(policy.allowLoopbackHttp && loopback))
      return policy.allowLoopbackHttp
        ? 'must be https, or http to a loopback address (local runtime)'
        : 'must be https';
    return undefined;
  }
  if (url.protocol !== 'https:') return 'must be https';
  if (isIP(host) !== 0)
    return addressProblem(host, policy) && `must not point at ${addressProblem(host, policy)}`;
  if (loopback && policy.allowLoopbackHttp) return undefined;
  if (
    !host.includes('.') ||
    BLOCKED_HOSTS.includes(host) ||
    BLOCKED_HOST_SUFFIXES.some((s) => host.endsWith(s))
  )
    return 'must name a public host (not localhost, an internal name or a bare host name)';
  return undefined;
}
