/** The team: its policy, usage, spend against the budget, and, where the API offers them, webhooks and audit. */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, enc, get, send } from '../api.ts';
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
  // Each change made here reloads the audit at once (it records them).
  const [changes, setChanges] = useState(0);
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
      {offers('/teams/{team}/webhooks') && (
        <Webhooks
          team={props.identity.team}
          openapi={props.openapi}
          onChange={() => setChanges((count) => count + 1)}
        />
      )}
      {offers('/audit') && <Audit team={props.identity.team} changes={changes} />}
    </>
  );
}

interface Webhook {
  name: string;
  url: string;
  events?: string[];
  format?: string;
}

/**
 * The team's webhooks: list, add or replace (the signing secret is shown once, as the API returns
 * it once), send a test event, remove. Event types and formats come from the OpenAPI document.
 */
function Webhooks(props: { team: string; openapi: OpenApi | undefined; onChange: () => void }) {
  const path = `/teams/${enc(props.team)}/webhooks`;
  const hooks = usePoll(() => get<{ items: Webhook[] }>(path), 30_000, path);
  const schema = props.openapi?.components.schemas.PutWebhook?.properties;
  const eventTypes = ((schema?.events as { items?: { enum?: string[] } } | undefined)?.items?.enum ??
    []) as string[];
  const formats = (schema?.format?.enum ?? ['json']) as string[];
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [format, setFormat] = useState('json');
  const [events, setEvents] = useState<string[]>([]);
  const [message, setMessage] = useState<{ text: string; error?: boolean; secret?: string } | undefined>();

  const act = async (what: () => Promise<string | { text: string; secret?: string }>) => {
    setMessage(undefined);
    try {
      const outcome = await what();
      setMessage(typeof outcome === 'string' ? { text: outcome } : outcome);
      hooks.refresh();
      props.onChange();
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : undefined;
      const fields = problem?.errors?.map((entry) => `${entry.field} ${entry.message}`).join('; ');
      setMessage({
        text: problem
          ? `${problem.title ?? 'Refused'}: ${fields || problem.detail || ''}`
          : (error as Error).message,
        error: true,
      });
    }
  };

  return (
    <section aria-labelledby="webhooks">
      <h2 id="webhooks">Webhooks</h2>
      {message && (
        <div role={message.error ? 'alert' : 'status'} class={`notice${message.error ? ' error' : ''}`}>
          <p>{message.text}</p>
          {message.secret && (
            <p>
              Signing secret (shown once: store it now): <code>{message.secret}</code>
            </p>
          )}
        </div>
      )}
      {hooks.error && <p class="notice error">{hooks.error.message}</p>}
      {hooks.data && hooks.data.items.length === 0 && <p>No webhooks.</p>}
      {hooks.data && hooks.data.items.length > 0 && (
        <table>
          <caption class="visually-hidden">The team's webhooks</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              <th scope="col">Format</th>
              <th scope="col">Events</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {hooks.data.items.map((hook) => (
              <tr key={hook.name}>
                <td>{hook.name}</td>
                <td>
                  <code>{hook.url}</code>
                </td>
                <td>{hook.format ?? 'json'}</td>
                <td>{(hook.events ?? []).join(', ')}</td>
                <td class="actions">
                  <button
                    type="button"
                    class="secondary small"
                    aria-label={`Send a test event to ${hook.name}`}
                    onClick={() =>
                      act(
                        async () => (
                          await send('POST', `${path}/${enc(hook.name)}/test`, {}),
                          `Test event queued for ${hook.name}.`
                        ),
                      )
                    }
                  >
                    Test
                  </button>
                  <button
                    type="button"
                    class="danger small"
                    aria-label={`Remove ${hook.name}`}
                    onClick={() =>
                      act(
                        async () => (
                          await send('DELETE', `${path}/${enc(hook.name)}`),
                          `Removed ${hook.name}.`
                        ),
                      )
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        class="webhook-form"
        onSubmit={(event) => {
          event.preventDefault();
          void act(async () => {
            const saved = await send<{ secret?: string }>('PUT', `${path}/${enc(name.trim())}`, {
              url: url.trim(),
              events,
              format,
            });
            return { text: `Saved ${name.trim()}.`, ...(saved?.secret ? { secret: saved.secret } : {}) };
          });
        }}
      >
        <h3>Add or replace a webhook</h3>
        <div class="field">
          <label for="webhook-name">Webhook name</label>
          <input
            id="webhook-name"
            value={name}
            autocomplete="off"
            onInput={(event) => setName((event.target as HTMLInputElement).value)}
            required
          />
        </div>
        <div class="field">
          <label for="webhook-url">Webhook URL</label>
          <input
            id="webhook-url"
            type="url"
            value={url}
            autocomplete="off"
            onInput={(event) => setUrl((event.target as HTMLInputElement).value)}
            required
          />
        </div>
        <div class="field">
          <label for="webhook-format">Format</label>
          <select
            id="webhook-format"
            value={format}
            onChange={(event) => setFormat((event.target as HTMLSelectElement).value)}
          >
            {formats.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </div>
        <fieldset class="field">
          <legend>Events</legend>
          {eventTypes.map((type) => (
            <div key={type} class="field checkbox">
              <input
                type="checkbox"
                id={`event-${type}`}
                checked={events.includes(type)}
                onChange={(event) => {
                  const on = (event.target as HTMLInputElement).checked;
                  setEvents((previous) =>
                    on ? [...previous, type] : previous.filter((item) => item !== type),
                  );
                }}
              />
              <label for={`event-${type}`}>{type}</label>
            </div>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit">Save webhook</button>
        </div>
      </form>
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

function Audit(props: { team: string; changes: number }) {
  const path = `/audit?team=${enc(props.team)}&limit=50`;
  const audit = usePoll(() => get<{ items: AuditEntry[] }>(path), 30_000, `${path}#${props.changes}`);
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
