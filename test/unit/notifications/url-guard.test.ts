/** Where a webhook may point: https to public hosts on AWS; http to loopback only locally. */
import { addressProblem, webhookUrlProblem } from '../../../core/notifications/url-guard.ts';

const aws = { allowLoopbackHttp: false };
const local = { allowLoopbackHttp: true };

describe('webhook URLs', () => {
  it.each([
    'https://hooks.slack.com/services/T000/B000/XXXX',
    'https://example.com:8443/hook?x=1',
    'https://93.184.216.34/hook',
  ])('accepts %s on AWS', (url) => {
    expect(webhookUrlProblem(url, aws)).toBeUndefined();
  });

  it.each([
    ['http://example.com/hook', 'https'],
    ['ftp://example.com/hook', 'https'],
    ['not a url', 'absolute URL'],
    ['https://user:pw@example.com/', 'user name'],
    ['https://localhost/hook', 'public host'],
    ['https://metadata.google.internal/', 'public host'],
    ['https://intranet/', 'public host'],
    ['https://127.0.0.1/', 'loopback'],
    ['https://169.254.169.254/latest/meta-data/', 'link-local'],
    ['https://10.1.2.3/', 'private'],
    ['https://172.20.0.1/', 'private'],
    ['https://192.168.1.1/', 'private'],
    ['https://100.64.0.1/', 'shared'],
    ['https://0.0.0.0/', 'this network'],
    ['https://[::1]/', 'loopback'],
    ['https://[fd00:ec2::254]/', 'unique local'],
    ['https://[fe80::1]/', 'link-local'],
    ['https://[::ffff:169.254.169.254]/', 'link-local'],
    ['https://[::ffff:a9fe:a9fe]/', 'link-local'],
    ['http://127.0.0.1:8080/hook', 'https'],
  ])('refuses %s on AWS (%s)', (url, why) => {
    expect(webhookUrlProblem(url, aws)).toContain(why);
  });

  it('allows http to loopback locally, and nothing else over http', () => {
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', local)).toBeUndefined();
    expect(webhookUrlProblem('http://localhost:8080/hook', local)).toBeUndefined();
    expect(webhookUrlProblem('http://[::1]:8080/hook', local)).toBeUndefined();
    expect(webhookUrlProblem('http://example.com/hook', local)).toContain('loopback');
    expect(webhookUrlProblem('http://169.254.169.254/', local)).toContain('loopback');
    expect(webhookUrlProblem('https://10.0.0.1/', local)).toContain('private');
  });
});

describe('resolved addresses', () => {
  it.each(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8'])('allows %s', (address) => {
    expect(addressProblem(address, aws)).toBeUndefined();
  });

  it.each([
    '127.0.0.1',
    '169.254.169.254',
    '10.0.0.1',
    '::1',
    '::',
    'fd00:ec2::254',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '224.0.0.1',
    '255.255.255.255',
  ])('refuses %s', (address) => {
    expect(addressProblem(address, aws)).toBeDefined();
  });

  it('lets loopback through only where the policy allows it', () => {
    expect(addressProblem('127.0.0.1', local)).toBeUndefined();
    expect(addressProblem('::1', local)).toBeUndefined();
    expect(addressProblem('169.254.169.254', local)).toBeDefined();
  });
});
