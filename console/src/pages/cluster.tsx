/**
 * One cluster: status, live progress, root cause on failure, outputs with copy buttons, the
 * timeline as it grows, and the actions the API offers (keep alive, stop, start, upgrade, delete
 * with typed confirmation, restore into a new cluster).
 */
import { useState } from 'preact/hooks';
import { ApiError, enc, get, send } from '../api.ts';
import type { Cluster, Page } from '../cluster-types.ts';
import { endsAt, idleRule } from '../cluster-types.ts';
import { isFailed, relative, STABLE_STATUSES, usd } from '../format.ts';
import { usePoll } from '../poll.ts';
import { href, navigate } from '../router.ts';
import type { OpenApi } from '../schema.ts';
import { useNow } from './clusters.tsx';
import { StatusText } from './status.tsx';

interface TimelineEntry {
  id: string;
  at: string;
  source: string;
  kind: string;
  message: string;
  status?: string;
  resource?: { logicalId: string; type: string; status: string; reason?: string };
}

const BUSY_POLL_MS = 3000;
const STABLE_POLL_MS = 15_000;

export function ClusterPage(props: { clusterId: string; openapi: OpenApi | undefined }) {
  const path = `/clusters/${enc(props.clusterId)}`;
  const [busy, setBusy] = useState(true);
  const cluster = usePoll(
    async () => {
      const [item, events] = [
        await get<Cluster>(path),
        await get<Page<TimelineEntry>>(`${path}/events?limit=100`),
      ];
      setBusy(!STABLE_STATUSES.includes(item.status));
      return { item, events: events.items };
    },
    busy ? BUSY_POLL_MS : STABLE_POLL_MS,
    path,
  );
  const now = useNow();
  const [message, setMessage] = useState<{ text: string; error?: boolean; status?: string } | undefined>();

  const act = async (what: string, run: () => Promise<unknown>) => {
    setMessage(undefined);
    try {
      await run();
      // Shown until the status moves on (the status line then tells the rest).
      setMessage({ text: what, status: cluster.data?.item.status });
      setBusy(true);
      cluster.refresh();
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : undefined;
      setMessage({
        text: problem ? `${problem.title ?? 'Refused'}: ${problem.detail ?? ''}` : (error as Error).message,
        error: true,
      });
    }
  };

  const missing = cluster.error instanceof ApiError && cluster.error.problem.status === 404;
  if (missing)
    return (
      <>
        <h1>{props.clusterId}</h1>
        <p>
          No cluster of your team has this id (it may have been deleted and forgotten).{' '}
          <a href={href.clusters}>All clusters</a>
        </p>
      </>
    );
  if (!cluster.data) return <p>{cluster.error ? cluster.error.message : 'Loading…'}</p>;
  const { item, events } = cluster.data;
  const status = item.status;
  const ends = endsAt(item);
  const upgradeSchema = props.openapi?.components.schemas.UpdateCluster?.properties?.determinedVersion;
  const canUpgrade = Boolean(upgradeSchema);
  const deleted = status === 'DELETED';

  return (
    <>
      <div class="title-row">
        <h1>{item.clusterId}</h1>
        <p class="big-status">
          Status: <StatusText status={status} />
        </p>
      </div>
      {message && (message.error || message.status === status) && (
        <p role={message.error ? 'alert' : 'status'} class={`notice${message.error ? ' error' : ''}`}>
          {message.text}
        </p>
      )}
      {isFailed(status) && item.statusReason && (
        <section class="root-cause" aria-labelledby="cause">
          <h2 id="cause">What went wrong</h2>
          <p>{item.statusReason}</p>
        </section>
      )}
      {item.progress && (
        <div class="progress">
          <label for="progress">
            {item.progress.stackStatus}: {item.progress.resourcesDone} of {item.progress.resourcesTotal}{' '}
            resources done
          </label>
          <progress id="progress" max={item.progress.resourcesTotal} value={item.progress.resourcesDone} />
        </div>
      )}
      <dl class="facts">
        <dt>Owner</dt>
        <dd>{item.owner}</dd>
        <dt>Deployment type</dt>
        <dd>{item.deploymentType}</dd>
        <dt>Determined version</dt>
        <dd>{String(item.parameters?.determinedVersion ?? '—')}</dd>
        <dt>Cost</dt>
        <dd>
          {item.cost
            ? // A deleted cluster costs nothing more: only what it accrued this month is left to show.
              `${item.cost.hourlyMax === 0 ? 'nothing now' : `${usd(item.cost.hourly)}/h now, up to ${usd(item.cost.hourlyMax)}/h`}; ${usd(item.cost.monthToDate)} this month`
            : '—'}
        </dd>
        <dt>Ends</dt>
        <dd>
          {ends
            ? `${ends.why === 'idle' ? 'idle action' : 'expires'} ${relative(ends.at, now)}`
            : idleRule(item)}
        </dd>
        <dt>Idle timeout</dt>
        <dd>{item.idle?.idleTimeout ?? '—'}</dd>
      </dl>

      <section aria-labelledby="actions" class="cluster-actions">
        <h2 id="actions">Actions</h2>
        <div class="actions">
          {/* A deleted cluster can only be restored: no buttons that can never be pressed. */}
          {!deleted && (
            <>
              <button
                type="button"
                disabled={status !== 'READY'}
                onClick={() =>
                  act('Idle clock reset: the cluster is kept alive.', () =>
                    send('POST', `${path}/keepalive`, {}),
                  )
                }
              >
                Keep alive
              </button>
              <button
                type="button"
                disabled={status !== 'READY'}
                onClick={() => act('Stopping.', () => send('POST', `${path}/stop`, {}))}
              >
                Stop
              </button>
              <button
                type="button"
                disabled={status !== 'STOPPED'}
                onClick={() => act('Starting.', () => send('POST', `${path}/start`, {}))}
              >
                Start
              </button>
            </>
          )}
          {deleted && item.retained && !item.restoredInto && (
            <a class="button" href={href.create(item.clusterId)}>
              Restore into a new cluster
            </a>
          )}
        </div>
        {canUpgrade && status === 'READY' && (
          <Upgrade
            current={String(item.parameters?.determinedVersion ?? '')}
            known={(upgradeSchema?.enum ?? []).map(String)}
            onUpgrade={(version) =>
              act(`Upgrading to ${version}.`, () => send('PATCH', path, { determinedVersion: version }))
            }
          />
        )}
        {!deleted && status !== 'DELETING' && (
          <Delete
            clusterId={item.clusterId}
            onDelete={(purge) =>
              act('Deleting.', () => send('DELETE', `${path}${purge ? '?purge=true' : ''}`))
            }
          />
        )}
        {deleted && item.restoredInto && (
          <p>
            Its data now belongs to <a href={href.cluster(item.restoredInto)}>{item.restoredInto}</a>.
          </p>
        )}
      </section>

      {item.outputs?.masterUrl && !deleted && (
        <section aria-labelledby="outputs">
          <h2 id="outputs">Outputs</h2>
          <ul class="outputs">
            <Output name="Use it with the det CLI" value={`export DET_MASTER=${item.outputs.masterUrl}`} />
            {Object.entries(item.outputs).map(([name, value]) => (
              <Output key={name} name={name} value={value} />
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="timeline">
        <h2 id="timeline">Timeline</h2>
        <ol class="timeline">
          {events.map((entry) => (
            <li key={entry.id}>
              <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>{' '}
              <span class="source">{entry.source === 'stack' ? 'stack' : 'control plane'}</span>{' '}
              {entry.resource
                ? `${entry.resource.logicalId} (${entry.resource.type}) ${entry.resource.status}${entry.resource.reason ? `: ${entry.resource.reason}` : ''}`
                : entry.message}
            </li>
          ))}
        </ol>
      </section>
      <p>
        <a href={href.clusters} onClick={() => navigate(href.clusters)}>
          Back to all clusters
        </a>
      </p>
    </>
  );
}

function Output(props: { name: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <li>
      <span class="output-name">{props.name}</span>
      <span class="output-value">
        <code>{props.value}</code>{' '}
        <button
          type="button"
          class="secondary small"
          aria-label={`Copy ${props.name}`}
          onClick={() =>
            navigator.clipboard.writeText(props.value).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </span>
    </li>
  );
}

/** Newer than `current`, by release number (0.38.10 after 0.38.9). */
export function newerVersions(known: string[], current: string): string[] {
  const parts = (version: string) => version.split('.').map(Number);
  const newer = (a: string, b: string) => {
    const [left, right] = [parts(a), parts(b)];
    for (let index = 0; index < 3; index += 1) {
      if ((left[index] ?? 0) !== (right[index] ?? 0)) return (left[index] ?? 0) > (right[index] ?? 0);
    }
    return false;
  };
  return known.filter((version) => newer(version, current));
}

function Upgrade(props: { current: string; known: string[]; onUpgrade: (version: string) => void }) {
  const choices = props.known.length > 0 ? newerVersions(props.known, props.current) : undefined;
  const [version, setVersion] = useState('');
  if (choices && choices.length === 0)
    return <p>Determined {props.current} is the newest release the control plane knows.</p>;
  const chosen = version || choices?.[0] || '';
  return (
    <form
      class="inline"
      onSubmit={(event) => {
        event.preventDefault();
        if (chosen.trim()) props.onUpgrade(chosen.trim());
      }}
    >
      <label for="upgrade-version">Upgrade Determined to version</label>
      {choices ? (
        <select
          id="upgrade-version"
          value={chosen}
          onChange={(event) => setVersion((event.target as HTMLSelectElement).value)}
        >
          {choices.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      ) : (
        <input
          id="upgrade-version"
          value={version}
          placeholder={props.current}
          onInput={(event) => setVersion((event.target as HTMLInputElement).value)}
        />
      )}
      <button type="submit" class="secondary">
        Upgrade
      </button>
    </form>
  );
}

function Delete(props: { clusterId: string; onDelete: (purge: boolean) => void }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [purge, setPurge] = useState(false);
  if (!open)
    return (
      <p>
        <button type="button" class="danger" onClick={() => setOpen(true)}>
          Delete
        </button>
      </p>
    );
  return (
    <form
      class="confirm"
      aria-labelledby="confirm-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (typed === props.clusterId) props.onDelete(purge);
      }}
    >
      <h3 id="confirm-title">Delete {props.clusterId}?</h3>
      <p>
        The stack is torn down. Its checkpoint bucket and a final database snapshot are kept unless you purge
        them.
      </p>
      <div class="field checkbox">
        <input
          type="checkbox"
          id="purge"
          checked={purge}
          onChange={(event) => setPurge((event.target as HTMLInputElement).checked)}
        />
        <label for="purge">Also delete its data (bucket and database snapshot): cannot be undone</label>
      </div>
      <div class="field">
        <label for="confirm-id">Type the cluster ID to confirm</label>
        <input
          id="confirm-id"
          autocomplete="off"
          value={typed}
          onInput={(event) => setTyped((event.target as HTMLInputElement).value)}
        />
      </div>
      <div class="actions">
        <button type="submit" class="danger" disabled={typed !== props.clusterId}>
          Delete cluster
        </button>
        <button type="button" class="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
