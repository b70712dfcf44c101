/** A status as text (the contract's checks read it), with a colour class that is never the only cue. */
import { isFailed, STABLE_STATUSES } from '../format.ts';

export function StatusText(props: { status: string }) {
  const tone = isFailed(props.status)
    ? 'failed'
    : props.status === 'READY'
      ? 'ready'
      : STABLE_STATUSES.includes(props.status)
        ? 'stable'
        : 'busy';
  return <span class={`status ${tone}`}>{props.status}</span>;
}
