/** The team's clusters, newest first, filterable by status; every page of the list, refreshed with conditional GETs. */
import { useEffect, useState } from 'preact/hooks';
import { enc, get } from '../api.ts';
import { endsAt, idleRule, type Cluster, type Page } from '../cluster-types.ts';
import { relative, usd } from '../format.ts';
import { usePoll } from '../poll.ts';
import { href } from '../router.ts';
import { StatusText } from './status.tsx';
import { CLUSTER_STATUSES as STATUSES } from '../../../core/cluster/statuses.ts';

/** The API pages by 100 at most; a team with more than this many is asked to filter. */
const MAX_PAGES = 10;

export async function loadClusters(status: string): Promise<{ items: Cluster[]; more: boolean }> {
  const items: Cluster[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const query = `limit=100${status ? `&status=${enc(status)}` : ''}${nextToken ? `&nextToken=${enc(nextToken)}` : ''}`;
    const page = await get<Page<Cluster>>(`/clusters?${query}`);
    items.push(...page.items);
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken && pages < MAX_PAGES);
  return { items, more: nextToken !== undefined };
}

export function ClustersPage() {
  const [status, setStatus] = useState('');
  const list = usePoll(() => loadClusters(status), 5000, `clusters:${status}`);
  const now = useNow();
  useEffect(() => {
    if (list.data) performance.mark('clusters-rendered');
  }, [list.data]);
  return (
    <>
      <div class="title-row">
        <h1>Clusters</h1>
        <a class="button" href={href.create()}>
          New cluster
        </a>
      </div>
      <div class="filters">
        <label for="status-filter">Status</label>
        <select
          id="status-filter"
          value={status}
          onChange={(event) => setStatus((event.target as HTMLSelectElement).value)}
        >
          <option value="">All</option>
          {STATUSES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      {list.error && (
        <p role="alert" class="notice error">
          {list.error.message}
        </p>
      )}
      {!list.data ? (
        <p>Loading…</p>
      ) : list.data.items.length === 0 ? (
        <p>No clusters{status ? ` in ${status}` : ''} yet.</p>
      ) : (
        <table class="clusters">
          <caption class="visually-hidden">Your team's clusters ({list.data.items.length})</caption>
          <thead>
            <tr>
              <th scope="col">Cluster</th>
              <th scope="col">Status</th>
              <th scope="col">Type</th>
              <th scope="col">Master URL</th>
              <th scope="col">Cost per hour</th>
              <th scope="col">Ends</th>
              <th scope="col">Owner</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((cluster) => {
              const ends = endsAt(cluster);
              return (
                <tr key={cluster.clusterId}>
                  <td>
                    <a href={href.cluster(cluster.clusterId)}>{cluster.clusterId}</a>
                  </td>
                  <td>
                    <StatusText status={cluster.status} />
                  </td>
                  <td>{cluster.deploymentType}</td>
                  <td>{cluster.outputs?.masterUrl ? <code>{cluster.outputs.masterUrl}</code> : '—'}</td>
                  <td>{usd(cluster.cost?.hourly)}</td>
                  <td>{ends ? `${ends.why} ${relative(ends.at, now)}` : idleRule(cluster)}</td>
                  <td>{cluster.owner}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {list.data?.more && (
        <p>Showing the newest {list.data.items.length}: filter by status to see the rest.</p>
      )}
    </>
  );
}

/** The time, once a second, for countdowns (no request: the figures come from the last answer). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
