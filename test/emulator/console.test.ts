/**
 * The web console in a real browser (Debian's Chromium, headless) against the local runtime:
 * sign in with a pasted token, create a cluster through the form, follow it to READY with its
 * master URL, keep it alive, delete it with the typed confirmation, see DELETED; another team's
 * token sees none of it; a refused token brings the user back to sign-in. axe-core checks every
 * page (0 serious or critical violations) and each page is screenshotted to test/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, seriousAccessibilityViolations } from '../../console/browser.ts';
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { stackName } from '../../core/cluster/naming.ts';
import {
  apiUrl,
  call,
  DEMO_KEY_PAIR,
  emulator,
  tokenFor,
  uniqueId,
  waitForStatus,
} from '../support/local-api.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A fresh page that fails the test on any script error or CSP violation. */
async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[14]/.test(message.text())) problems.push(message.text());
  });
  return { page, problems };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${apiUrl()}/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function expectAccessible(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect({ page: name, violations: await seriousAccessibilityViolations(page) }).toEqual({
    page: name,
    violations: [],
  });
}

describe('web console', () => {
  it('serves the page with a CSP that allows no inline script, and its assets by content hash', async () => {
    const page = await call('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const script = /src="(\/console\/app\.[0-9a-f]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    const asset = await call('GET', script as string);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await call('GET', '/console/app.0000.js')).status).toBe(404);
  });

  it('signs in, creates through the form, reaches READY, keeps alive, deletes with confirmation; another team sees nothing', async () => {
    const team = `ui-${Date.now().toString(36)}`;
    const token = await tokenFor(team);
    const clusterId = uniqueId('ui');
    const { page, problems } = await openPage();

    await page.goto(`${apiUrl()}/`);
    await expectAccessible(page, '01-sign-in');
    await signIn(page, token);
    await page.getByRole('heading', { name: 'Clusters', exact: true }).waitFor();
    await expectAccessible(page, '02-clusters-empty');

    await page.getByRole('link', { name: 'New cluster' }).first().click();
    await page.getByLabel('Cluster ID', { exact: true }).fill(clusterId);
    await page.getByLabel('Key pair', { exact: true }).fill(DEMO_KEY_PAIR);
    await page.getByLabel('Deployment type', { exact: true }).selectOption('simple');
    // The rules come from the API's schema: a bad id is refused before anything is sent.
    await page.getByLabel('Max dynamic agents', { exact: true }).fill('5000');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('Max dynamic agents must be at most 1000').waitFor();
    await page.getByLabel('Max dynamic agents', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: /Preview/ }).waitFor();
    await page.getByText(/Estimated cost: \$[0-9.]+\/h/).waitFor();
    await page.getByRole('cell', { name: 'MaxDynamicAgents' }).waitFor();
    await expectAccessible(page, '03-create-preview');
    expect((await call('GET', `/clusters/${clusterId}`, { token })).status).toBe(404);

    await page.getByRole('button', { name: 'Create cluster' }).click();
    await page.getByRole('heading', { name: clusterId }).waitFor();
    await page
      .getByText(/http:\/\/[0-9.]+:8080/)
      .first()
      .waitFor({ timeout: 90_000 });
    await page
      .getByText(/\bREADY\b/)
      .first()
      .waitFor();
    expect((await call('GET', `/clusters/${clusterId}`, { token })).body.status).toBe('READY');
    await page.getByText(/export DET_MASTER=http:\/\/[0-9.]+:8080/).waitFor();
    await page.getByRole('listitem').filter({ hasText: 'control plane' }).first().waitFor();
    await expectAccessible(page, '04-cluster-ready');

    await page.getByRole('button', { name: 'Keep alive' }).click();
    await page.getByText('Idle clock reset').waitFor();

    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByText('STOPPED', { exact: true }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByText('READY', { exact: true }).waitFor({ timeout: 60_000 });
    expect((await call('GET', `/clusters/${clusterId}`, { token })).body.status).toBe('READY');

    await page.getByRole('link', { name: 'Clusters', exact: true }).click();
    await page.getByRole('link', { name: clusterId }).waitFor();
    await page.getByLabel('Status').selectOption('READY');
    // The filtered list itself, rendered (not the one before the filter, nor "Loading…").
    const listed = page.getByRole('table', { name: /^Your team's clusters/ });
    const row = listed.getByRole('row').filter({ has: page.getByRole('link', { name: clusterId }) });
    await row.getByText('READY', { exact: true }).waitFor();
    await row.getByText(/http:\/\/[0-9.]+:8080/).waitFor();
    expect(await page.getByText('Loading…').count()).toBe(0);
    await expectAccessible(page, '05-clusters-list');
    await page.getByLabel('Status').selectOption('STOPPED');
    await page.getByText('No clusters in STOPPED yet.').waitFor();

    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByRole('heading', { name: `Team ${team}` }).waitFor();
    await page.getByRole('heading', { name: 'Policy in force' }).waitFor();
    await expectAccessible(page, '06-team');

    await page.getByRole('link', { name: 'Clusters', exact: true }).click();
    await page.getByRole('link', { name: clusterId }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('button', { name: 'Delete cluster' });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel('Type the cluster ID to confirm').fill(`${clusterId}x`);
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel('Type the cluster ID to confirm').fill(clusterId);
    await expectAccessible(page, '07-delete-confirmation');
    await confirm.click();
    await page
      .getByText(/\bDELETED\b/)
      .first()
      .waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: 'Restore into a new cluster' }).waitFor();
    // What it accrued this month (AWS's minimum charges at least), not $0 because it is deleted.
    const spent = Number(
      /\$([0-9.]+) this month/.exec(await page.getByText(/ this month$/).innerText())?.[1],
    );
    expect(spent).toBeGreaterThanOrEqual(0.012);
    expect(spent).toBeCloseTo(
      (await call('GET', `/clusters/${clusterId}`, { token })).body.cost.monthToDate,
      2,
    );
    await expectAccessible(page, '08-cluster-deleted');
    await page.getByRole('link', { name: 'Restore into a new cluster' }).click();
    expect(await page.getByLabel('Restore from', { exact: true }).inputValue()).toBe(clusterId);
    expect(problems).toEqual([]);

    const other = await openPage();
    await signIn(other.page, await tokenFor(`${team}-other`));
    await other.page.getByText('No clusters yet.').waitFor();
    expect(await other.page.getByText(clusterId).count()).toBe(0);
    await other.page.goto(`${apiUrl()}/#/clusters/${clusterId}`);
    await other.page.getByText('No cluster of your team has this id').waitFor();
    await other.page.close();
    await page.close();
  }, 240_000);

  it('shows the root cause of a failed create, and the failed cluster can be deleted from its page', async () => {
    const team = `ui-fail-${Date.now().toString(36)}`;
    const token = await tokenFor(team);
    const clusterId = uniqueId('ui-taken');
    // A stack the control plane did not make, named like the cluster: the create must fail, untouched.
    await emulator.cloudFormation().send(
      new CreateStackCommand({
        StackName: stackName('', clusterId),
        TemplateBody: JSON.stringify({
          Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: `${clusterId}-a` } } },
        }),
      }),
    );
    const { page, problems } = await openPage();
    await signIn(page, token);
    await page.getByRole('link', { name: 'New cluster' }).first().click();
    await page.getByLabel('Cluster ID', { exact: true }).fill(clusterId);
    await page.getByLabel('Key pair', { exact: true }).fill(DEMO_KEY_PAIR);
    await page.getByRole('button', { name: 'Create cluster' }).click();
    await page.getByText('CREATE_FAILED', { exact: true }).waitFor({ timeout: 60_000 });
    const cause = page.getByRole('region', { name: 'What went wrong' });
    await cause.getByText(/already exists and was not made for this cluster/).waitFor();
    await expectAccessible(page, '11-cluster-failed');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByLabel('Type the cluster ID to confirm').fill(clusterId);
    await page.getByRole('button', { name: 'Delete cluster' }).click();
    await page
      .getByText(/\b(DELETING|DELETED)\b/)
      .first()
      .waitFor({ timeout: 60_000 });
    expect(problems).toEqual([]);
    await page.close();
  }, 150_000);

  it('manages the team’s webhooks (secret shown once) and shows the audit trail', async () => {
    const team = `ui-hooks-${Date.now().toString(36)}`;
    const { page, problems } = await openPage();
    await signIn(page, await tokenFor(team));
    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByText('No webhooks.').waitFor();
    await page.getByLabel('Webhook name').fill('ops');
    await page.getByLabel('Webhook URL').fill('http://127.0.0.1:9/hook');
    await page.getByLabel('cluster.ready').check();
    await page.getByLabel('cluster.failed').check();
    await page.getByRole('button', { name: 'Save webhook' }).click();
    await page.getByText(/Signing secret \(shown once/).waitFor();
    await page.getByRole('cell', { name: 'cluster.ready, cluster.failed' }).waitFor();
    await page.getByRole('button', { name: 'Send a test event to ops' }).click();
    await page.getByText('Test event queued for ops.').waitFor();
    // The audit trail shows what was just done, newest first.
    await page.getByRole('cell', { name: 'webhook.put' }).waitFor({ timeout: 30_000 });
    await expectAccessible(page, '12-team-webhooks');
    await page.getByRole('button', { name: 'Remove ops' }).click();
    await page.getByText('Removed ops.').waitFor();
    await page.getByText('No webhooks.').waitFor();
    expect(
      (await call('GET', `/teams/${team}/webhooks`, { token: await tokenFor(team) })).body.items,
    ).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('offers the releases newer than the cluster’s and starts an upgrade', async () => {
    const team = `ui-upgrade-${Date.now().toString(36)}`;
    const token = await tokenFor(team);
    const clusterId = uniqueId('ui-up');
    const created = await call('POST', '/clusters', {
      token,
      body: { clusterId, keypair: DEMO_KEY_PAIR, determinedVersion: '0.38.0' },
    });
    expect(created.status).toBe(202);
    await waitForStatus(clusterId, token, 'READY', 60_000);
    const { page, problems } = await openPage();
    await signIn(page, token);
    await page.getByRole('link', { name: clusterId }).click();
    const choice = page.getByLabel('Upgrade Determined to version');
    expect(await choice.evaluate((element) => element.tagName)).toBe('SELECT');
    expect(await choice.inputValue()).toBe('0.38.1');
    await page.getByRole('button', { name: 'Upgrade', exact: true }).click();
    await page.getByText('UPDATING', { exact: true }).waitFor({ timeout: 30_000 });
    expect((await call('GET', `/clusters/${clusterId}`, { token })).body.status).toBe('UPDATING');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('sends a refused token back to sign-in, and signs in from the link of npm run token -- --console', async () => {
    const { page } = await openPage();
    // Readable claims, but not signed by the API's key: the console lets it in, the API says 401.
    const forged = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'mallory', team: 'ui-forged', exp: Math.floor(Date.now() / 1000) + 600 }),
    ).toString('base64url')}.c2lnbmF0dXJl`;
    await signIn(page, forged);
    await page.getByRole('alert').filter({ hasText: 'sign in again' }).waitFor();
    await page.getByLabel('Token').waitFor();
    await screenshot(page, '09-signed-out');

    const token = await tokenFor('ui-link');
    const { consoleSignInUrl } = await import('../../local/console-url.ts');
    await page.goto(consoleSignInUrl(token, new URL(apiUrl()).port));
    await page.getByRole('heading', { name: 'Clusters', exact: true }).waitFor();
    expect(page.url()).not.toContain(token);
    await page.close();
  });

  it('answers a repeated GET with 304 when nothing changed (the console polls with If-None-Match)', async () => {
    const token = await tokenFor(`ui-etag-${Date.now().toString(36)}`);
    const first = await call('GET', '/clusters', { token });
    const tag = first.headers.get('etag');
    expect(tag).toMatch(/^"[\w-]+"$/);
    const again = await call('GET', '/clusters', { token, headers: { 'if-none-match': tag as string } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    const changed = await call('GET', '/clusters', { token, headers: { 'if-none-match': '"other"' } });
    expect(changed.status).toBe(200);
  });
});
