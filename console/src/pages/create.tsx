/**
 * Create a cluster: every field of the request with its default and rule (from the OpenAPI
 * document), a dry-run preview of the stack parameters and the cost estimate, then the request.
 */
import { useMemo, useState } from 'preact/hooks';
import { ApiError, send, type Problem } from '../api.ts';
import { usd, type Cost } from '../format.ts';
import { href, navigate } from '../router.ts';
import { checkValue, createFields, ruleOf, type Field, type OpenApi } from '../schema.ts';

type Values = Record<string, string | boolean>;

interface DryRun {
  parameters: Record<string, string> | { ParameterKey: string; ParameterValue: string }[];
  cost?: Cost;
}

/** Form values -> request body: empty optional fields are left out, so the API's defaults apply. */
export function requestBody(fields: Field[], values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.kind === 'schedule') {
      const schedule: Record<string, string> = {};
      for (const part of ['timezone', 'autostart', 'autostop']) {
        const text = String(values[`schedule.${part}`] ?? '').trim();
        if (text) schedule[part] = text;
      }
      if (Object.keys(schedule).length > 0) body[field.name] = schedule;
      continue;
    }
    const value = values[field.name];
    if (value === undefined || value === '') continue;
    if (field.kind === 'checkbox') {
      if (value !== Boolean(field.schema.default ?? false)) body[field.name] = value;
    } else if (field.kind === 'number') body[field.name] = Number(value);
    else if (field.kind === 'tags') {
      const tags: Record<string, string> = {};
      for (const line of String(value).split('\n')) {
        const at = line.indexOf('=');
        if (line.trim())
          tags[(at < 0 ? line : line.slice(0, at)).trim()] = at < 0 ? '' : line.slice(at + 1).trim();
      }
      body[field.name] = tags;
    } else body[field.name] = String(value).trim();
  }
  return body;
}

function fieldErrors(fields: Field[], body: Record<string, unknown>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const value = body[field.name];
    if (value === undefined) {
      if (field.required) errors[field.name] = 'is required';
      continue;
    }
    if (field.kind === 'tags' || field.kind === 'schedule') continue;
    const problem = checkValue(field.schema, value);
    if (problem) errors[field.name] = problem;
  }
  return errors;
}

function serverErrors(problem: Problem): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const error of problem.errors ?? []) {
    const field = error.field.split('.')[0] ?? error.field;
    errors[field] = errors[field] ? `${errors[field]}; ${error.message}` : error.message;
  }
  return errors;
}

const parameterRows = (parameters: DryRun['parameters']): [string, string][] =>
  Array.isArray(parameters)
    ? parameters.map((parameter) => [parameter.ParameterKey, parameter.ParameterValue])
    : Object.entries(parameters).map(([key, value]) => [key, String(value)]);

export function CreatePage(props: { openapi: OpenApi | undefined; restoreFrom: string | undefined }) {
  const fields = useMemo(() => (props.openapi ? createFields(props.openapi) : []), [props.openapi]);
  const [values, setValues] = useState<Values>(() =>
    props.restoreFrom ? { restoreFrom: props.restoreFrom } : ({} as Values),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | undefined>();
  const [preview, setPreview] = useState<DryRun | undefined>();
  const [busy, setBusy] = useState(false);

  if (!props.openapi) return <p>Loading the request's fields…</p>;

  const set = (name: string, value: string | boolean) => {
    setValues((previous) => ({ ...previous, [name]: value }));
    setPreview(undefined);
  };

  const submit = async (dryRun: boolean) => {
    const body = requestBody(fields, values);
    const local = fieldErrors(fields, body);
    setErrors(local);
    setProblem(undefined);
    if (Object.keys(local).length > 0) {
      setProblem('Some fields need a change (see below).');
      return;
    }
    setBusy(true);
    try {
      if (dryRun) setPreview(await send<DryRun>('POST', '/clusters?dryRun=true', body));
      else {
        await send('POST', '/clusters', body);
        navigate(href.cluster(String(body.clusterId)));
      }
    } catch (error) {
      if (error instanceof ApiError) {
        setErrors(serverErrors(error.problem));
        setProblem(`${error.problem.title ?? 'Refused'}: ${error.problem.detail ?? ''}`);
      } else setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>New cluster</h1>
      {props.restoreFrom && (
        <p>
          The new cluster takes over the data that <strong>{props.restoreFrom}</strong> kept when it was torn
          down.
        </p>
      )}
      <form
        class="create"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit(false);
        }}
      >
        {problem && (
          <p role="alert" class="notice error">
            {problem}
          </p>
        )}
        {fields.map((field) => (
          <FieldInput key={field.name} field={field} values={values} error={errors[field.name]} set={set} />
        ))}
        <div class="actions">
          <button type="button" class="secondary" disabled={busy} onClick={() => void submit(true)}>
            Preview
          </button>
          <button type="submit" disabled={busy}>
            Create cluster
          </button>
        </div>
      </form>
      {preview && (
        <section aria-labelledby="preview-title" class="preview">
          <h2 id="preview-title">Preview (dry run: nothing was created)</h2>
          {preview.cost && (
            <p>
              Estimated cost: <strong>{usd(preview.cost.hourly)}/h</strong> now
              {preview.cost.hourlyMax !== undefined && (
                <>, up to {usd(preview.cost.hourlyMax)}/h with every agent running</>
              )}
              . <span class="help">{preview.cost.basis}</span>
            </p>
          )}
          <table>
            <caption>Stack parameters that would be sent</caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {parameterRows(preview.parameters).map(([key, value]) => (
                <tr key={key}>
                  <td>{key}</td>
                  <td>
                    <code>{value}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}

function FieldInput(props: {
  field: Field;
  values: Values;
  error: string | undefined;
  set: (name: string, value: string | boolean) => void;
}) {
  const { field, values, error, set } = props;
  const id = `field-${field.name}`;
  const help = `${id}-help`;
  const describedBy = error ? `${help} ${id}-error` : help;
  const defaultValue = field.schema.default;
  const rule = ruleOf(field.schema);
  const hint = (
    <p id={help} class="help">
      {field.required
        ? 'Required.'
        : defaultValue !== undefined
          ? `Default: ${String(defaultValue)}.`
          : 'Optional.'}
      {rule && ` ${rule}`}
    </p>
  );
  const errorText = error && (
    <p id={`${id}-error`} class="field-error">
      {field.label} {error}
    </p>
  );
  const text = (name: string) => String(values[name] ?? '');
  const onText = (name: string) => (event: Event) => set(name, (event.target as HTMLInputElement).value);

  if (field.kind === 'schedule') {
    return (
      <fieldset class="field" aria-describedby={describedBy}>
        <legend>{field.label}</legend>
        {['timezone', 'autostart', 'autostop'].map((part) => (
          <div key={part} class="sub">
            <label for={`${id}-${part}`}>
              {part === 'timezone'
                ? 'Time zone (IANA)'
                : part === 'autostart'
                  ? 'Start at (cron)'
                  : 'Stop at (cron)'}
            </label>
            <input
              id={`${id}-${part}`}
              value={text(`schedule.${part}`)}
              onInput={onText(`schedule.${part}`)}
              placeholder={
                part === 'timezone' ? 'Europe/Berlin' : part === 'autostart' ? '0 8 * * 1-5' : '0 19 * * 1-5'
              }
            />
          </div>
        ))}
        {hint}
        {errorText}
      </fieldset>
    );
  }
  if (field.kind === 'checkbox') {
    const checked = values[field.name] ?? Boolean(defaultValue ?? false);
    return (
      <div class="field checkbox">
        <input
          type="checkbox"
          id={id}
          checked={Boolean(checked)}
          aria-describedby={describedBy}
          onChange={(event) => set(field.name, (event.target as HTMLInputElement).checked)}
        />
        <label for={id}>{field.label}</label>
        {hint}
        {errorText}
      </div>
    );
  }
  const common = {
    id,
    'aria-describedby': describedBy,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-required': field.required ? ('true' as const) : undefined,
  };
  return (
    <div class="field">
      <label for={id}>{field.label}</label>
      {field.kind === 'select' ? (
        <select
          {...common}
          value={text(field.name) || String(defaultValue ?? '')}
          onChange={onText(field.name)}
        >
          {defaultValue === undefined && <option value="">(the API's default)</option>}
          {(field.schema.enum ?? []).map((option) => (
            <option key={option} value={String(option)}>
              {String(option)}
            </option>
          ))}
        </select>
      ) : field.kind === 'tags' ? (
        <textarea
          {...common}
          rows={2}
          value={text(field.name)}
          onInput={onText(field.name)}
          placeholder="project=vision"
        />
      ) : (
        <input
          {...common}
          {...inputType(field.kind)}
          value={text(field.name)}
          placeholder={defaultValue !== undefined ? String(defaultValue) : ''}
          onInput={onText(field.name)}
        />
      )}
      {hint}
      {errorText}
    </div>
  );
}

/** The input's type and autocomplete hint (a generated password is the default: never autofill one). */
function inputType(kind: Field['kind']): { type: 'text'; autocomplete: string } {
  if (kind === 'password')
    return { type: 'password', autocomplete: 'new-password' } as unknown as {
      type: 'text';
      autocomplete: string;
    };
  if (kind === 'number')
    return { type: 'number', autocomplete: 'off' } as unknown as { type: 'text'; autocomplete: string };
  return { type: 'text', autocomplete: 'off' };
}
