/**
 * X-Ray: the trace of the invocation being served. Lambda (with active tracing) puts it in
 * _X_AMZN_TRACE_ID for every invocation; passing it on to StartExecution joins the workflow's trace to
 * the API request that started it, without the X-Ray SDK in the bundle (docs/adr/0022-observability.md).
 */
const TRACE_HEADER = /^[A-Za-z0-9=;:._-]{1,256}$/;

export function currentTraceHeader(): string | undefined {
  const header = process.env._X_AMZN_TRACE_ID?.trim();
  return header && TRACE_HEADER.test(header) ? header : undefined;
}
