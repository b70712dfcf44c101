/** The team: its policy, usage, spend against the budget, and, where the API offers them, webhooks and audit. */
import { Fragment } from 'preact';
import { enc, get } from '../api.ts';
import type { Identity } from '../config.ts';
import { usd } from '../format.ts';
import { usePoll } from '../poll.ts';
import type { OpenApi } from '../schema.ts';

interface Team {
  team: string;
  policy: Record<string, unknown>;
  usage: { clusters: number; maxClusters?: number; byStatus?: Record<string, number> };
  spend?: {
    month: string;
    monthToDate: number;
    budgetUsd: number | null;
    budgetUsedPercent: number | null;
    hourly: number;
    basis: string;
  };
}

export function TeamPage(props: { identity: Identity; openapi: OpenApi | undefined }) {
  const path = `/teams/${enc(props.identity.team)}`;
  const team = usePoll(() => get<Team>(path), 30_000, path);
  const offers = (route: string) => Boolean(props.openapi?.paths[route]?.get);
  return (
    <>
      <h1>Team {props.identity.team}</h1>
      {team.error && (
        <p role="alert" class="notice error">
          {team.error.message}
        </p>
      )}
      {team.data && (
        <>
          {team.data.spend && (
            <section aria-labelledby="spend">
              <h2 id="spend">Spend in {team.data.spend.month}</h2>
              <p>
                <strong>{usd(team.data.spend.monthToDate)}</strong> spent
                {team.data.spend.budgetUsd !== null
                  ? ` of a ${usd(team.data.spend.budgetUsd)} budget (${team.data.spend.budgetUsedPercent}%)`
                  : ' (no monthly budget)'}
                ; running clusters cost {usd(team.data.spend.hourly)}/h now.
              </p>
              {team.data.spend.budgetUsd !== null && (
                <div class="progress">
                  <label for="budget">Budget used</label>
                  <progress
                    id="budget"
                    max={100}
                    value={Math.min(100, team.data.spend.budgetUsedPercent ?? 0)}
                  />
                </div>
              )}
              <p class="help">{team.data.spend.basis}</p>
            </section>
          )}
          <section aria-labelledby="usage">
            <h2 id="usage">Clusters</h2>
            <p>
              {team.data.usage.clusters} cluster(s)
              {team.data.usage.maxClusters !== undefined && ` of at most ${team.data.usage.maxClusters}`}.
            </p>
          </section>
          <section aria-labelledby="policy">
            <h2 id="policy">Policy in force</h2>
            <dl class="facts">
              {Object.entries(team.data.policy).map(([name, value]) => (
                <Fragment key={name}>
                  <dt>{name}</dt>
                  <dd>{policyValue(value)}</dd>
                </Fragment>
              ))}
            </dl>
          </section>
        </>
      )}
      {offers('/teams/{team}/webhooks') && <Webhooks team={props.identity.team} />}
      {offers('/audit') && <Audit team={props.identity.team} />}
    </>
  );
}

interface Webhook {
  name: string;
  url: string;
  events?: string[];
  format?: string;
}

function Webhooks(props: { team: string }) {
  const path = `/teams/${enc(props.team)}/webhooks`;
  const hooks = usePoll(() => get<{ items: Webhook[] }>(path), 30_000, path);
  return (
    <section aria-labelledby="webhooks">
      <h2 id="webhooks">Webhooks</h2>
      {hooks.error && <p class="notice error">{hooks.error.message}</p>}
      {hooks.data && hooks.data.items.length === 0 && <p>No webhooks.</p>}
      <ul>
        {hooks.data?.items.map((hook) => (
          <li key={hook.name}>
            <strong>{hook.name}</strong> → <code>{hook.url}</code> ({hook.format ?? 'json'};{' '}
            {(hook.events ?? []).join(', ') || 'every event'})
          </li>
        ))}
      </ul>
    </section>
  );
}

interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  clusterId?: string;
  outcome: string;
}

function Audit(props: { team: string }) {
  const path = `/audit?team=${enc(props.team)}&limit=50`;
  const audit = usePoll(() => get<{ items: AuditEntry[] }>(path), 30_000, path);
  return (
    <section aria-labelledby="audit">
      <h2 id="audit">Audit</h2>
      {audit.error && <p class="notice error">{audit.error.message}</p>}
      <table>
        <caption class="visually-hidden">Latest audit entries</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Cluster</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {audit.data?.items.map((entry, index) => (
            <tr key={index}>
              <td>{new Date(entry.at).toLocaleString()}</td>
              <td>{entry.actor}</td>
              <td>{entry.action}</td>
              <td>{entry.clusterId ?? '—'}</td>
              <td>{entry.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A policy value as words: null is none, an empty allow-list allows any. */
function policyValue(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return value.length === 0 ? 'any' : value.join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
