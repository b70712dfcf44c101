/** IPv4 CIDR blocks as EC2 security group rules accept them (host bits must be zero). */
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function cidrProblem(text: string): string | undefined {
  const match = CIDR.exec(text);
  if (!match) return 'must be an IPv4 CIDR block such as 10.0.0.0/8';
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255)) return 'each address octet must be between 0 and 255';
  if (prefix > 32) return 'the prefix length must be between 0 and 32';
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) return `host bits must be zero for a /${prefix} block`;
  return undefined;
}

export const OPEN_TO_THE_WORLD = '0.0.0.0/0';
