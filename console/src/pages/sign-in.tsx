/** Sign-in: through the identity provider on AWS; a pasted token (npm run token) wherever the API accepts one. */
import { useState } from 'preact/hooks';
import type { ConsoleConfig } from '../config.ts';
import { beginSignIn } from '../oidc.ts';

export function SignInPage(props: {
  config: ConsoleConfig;
  onToken: (token: string) => string | undefined;
  notice: string | undefined;
}) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const submit = (event: Event) => {
    event.preventDefault();
    setProblem(props.onToken(token.trim()));
  };
  const message = problem ?? props.notice;
  return (
    <main class="sign-in">
      <h1>Determined clusters</h1>
      <p>Get, watch, keep and tear down your team's Determined clusters.</p>
      {message && (
        <p role="alert" class="notice">
          {message}
        </p>
      )}
      {props.config.oidcIssuer && (
        <section aria-labelledby="sso">
          <h2 id="sso">Sign in with your organisation</h2>
          <button
            type="button"
            onClick={() => beginSignIn(props.config).catch((error: Error) => setProblem(error.message))}
          >
            Sign in with single sign-on
          </button>
        </section>
      )}
      <form onSubmit={submit}>
        <h2>Sign in with a pasted token</h2>
        <label for="token">Token</label>
        <textarea
          id="token"
          rows={4}
          value={token}
          autocomplete="off"
          spellcheck={false}
          aria-describedby="token-help"
          onInput={(event) => setToken((event.target as HTMLTextAreaElement).value)}
          required
        />
        <p id="token-help" class="help">
          Locally: <code>npm run token -- --team NAME</code> prints one (<code>--console</code> prints a
          sign-in link). The token stays in this tab's memory only: reloading the page signs you out.
        </p>
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
