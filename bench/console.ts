/**
 * The web console's budgets (issue 13): its JavaScript gzipped (at most 100 KB) and how long the
 * cluster list takes to render 500 clusters in the browser (under 1 s). The page is the real
 * console (the console function's answers); the API's answers for /clusters are 500 clusters in
 * pages of 100 from a stand-in on loopback, so the figure is the console's own work: five
 * requests, parsing and rendering the table. Measured inside the page with
 * performance.now(), from the sign-in click to the rendered list; the 5-cluster list is measured
 * the same way in the same run, for the ratio.
 */
import { createServer } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../console/browser.ts';
import { consoleGzipBytes, TARGET_GZIP_BYTES } from '../console/budget.ts';
import { handler as consoleHandler } from '../functions/http/console.ts';
import { openApiDocument } from '../functions/http/openapi-document.ts';
import { issueToken, signingKey } from '../local/auth.ts';
import { projectRoot } from '../local/paths.ts';
import { freePort } from '../local/ports.ts';
import { percentile, round1, type BenchSection } from './context.ts';

export const TARGET_RENDER_MS = 1000;
const PAGE_SIZE = 100;
const ROUNDS = 5;

function fakeCluster(index: number) {
  const statuses = ['READY', 'CREATING', 'STOPPED', 'READY', 'CREATE_FAILED'];
  return {
    clusterId: `bench-${String(index).padStart(4, '0')}`,
    team: 'bench',
    owner: `user-${index % 17}`,
    deploymentType: ['simple', 'vpc', 'efs', 'fsx', 'secure'][index % 5],
    status: statuses[index % statuses.length],
    parameters: { determinedVersion: '0.38.1' },
    outputs: { masterUrl: `http://10.0.${index % 250}.${index % 200}:8080` },
    createdAt: new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString(),
    updatedAt: new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString(),
    idle: { idleTimeout: '4h', teardownAt: new Date(Date.now() + (index + 1) * 60_000).toISOString() },
    version: 1,
    cost: { currency: 'USD', hourly: 0.19 + index / 1000, hourlyMax: 15, monthToDate: 1.5, basis: 'bench' },
  };
}

/** A stand-in API on loopback: the real console function's answers, and `clusters` clusters in pages of 100. */
async function serve(clusters: number): Promise<{ origin: string; close: () => Promise<void> }> {
  const items = Array.from({ length: clusters }, (_, index) => fakeCluster(index));
  const openapi = JSON.stringify(openApiDocument());
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const answer = async (): Promise<{ status: number; headers: Record<string, string>; body: string }> => {
      if (url.pathname === '/' || url.pathname.startsWith('/console/')) {
        const asset = url.pathname.startsWith('/console/')
          ? url.pathname.slice('/console/'.length)
          : undefined;
        const result = await consoleHandler({
          rawPath: url.pathname,
          ...(asset ? { pathParameters: { asset } } : {}),
        } as APIGatewayProxyEventV2);
        return {
          status: result.statusCode ?? 200,
          headers: result.headers as Record<string, string>,
          body: result.body ?? '',
        };
      }
      const json = { 'content-type': 'application/json' };
      if (url.pathname === '/openapi.json') return { status: 200, headers: json, body: openapi };
      if (url.pathname === '/clusters') {
        const start = Number(url.searchParams.get('nextToken') ?? 0);
        const next = start + PAGE_SIZE < items.length ? String(start + PAGE_SIZE) : undefined;
        const body = { items: items.slice(start, start + PAGE_SIZE), ...(next ? { nextToken: next } : {}) };
        return { status: 200, headers: json, body: JSON.stringify(body) };
      }
      return { status: 404, headers: json, body: '{}' };
    };
    void answer().then(({ status, headers, body }) => {
      response.writeHead(status, headers);
      response.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Milliseconds from the sign-in click to the list of `clusters` rows, measured in the page. */
async function renderMs(page: Page, origin: string, clusters: number, token: string): Promise<number> {
  await page.goto(`${origin}/`);
  await page.getByLabel('Token').fill(token);
  await page.evaluate('window.__benchStart = performance.now()');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .locator('table.clusters tbody tr')
    .nth(clusters - 1)
    .waitFor();
  return (await page.evaluate(
    "performance.getEntriesByName('clusters-rendered')[0].startTime - window.__benchStart",
  )) as number;
}

export const consoleBench: BenchSection = {
  name: 'console',
  async run() {
    const gzip = consoleGzipBytes();
    const token = await issueToken(signingKey(projectRoot), {
      team: 'bench',
      sub: 'bench',
      admin: false,
      teamClaim: 'team',
      hours: 1,
    });
    const browser = await launchBrowser();
    try {
      const samples: Record<number, number[]> = { 5: [], 500: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const clusters of [5, 500]) {
          const api = await serve(clusters);
          const page = await browser.newPage();
          samples[clusters]?.push(await renderMs(page, api.origin, clusters, token));
          await page.close();
          await api.close();
        }
      }
      const median = (clusters: number) => percentile(samples[clusters] ?? [], 50);
      return {
        jsGzipBytes: gzip.js,
        cssGzipBytes: gzip.css,
        targetGzipBytes: TARGET_GZIP_BYTES,
        jsUnderTarget: gzip.js <= TARGET_GZIP_BYTES,
        rounds: ROUNDS,
        list5RenderMs: round1(median(5)),
        list500RenderMs: round1(median(500)),
        list500Over5Ratio: round1(median(500) / median(5)),
        targetRenderMs: TARGET_RENDER_MS,
        list500UnderTarget: median(500) < TARGET_RENDER_MS,
      };
    } finally {
      await browser.close();
    }
  },
};
