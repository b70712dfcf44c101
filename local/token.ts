/**
 * npm run token -- --team NAME [--sub USER] [--admin] [--scope "clusters:read ..."] [--hours N] [--console]
 * Prints a bearer token that the local API (npm start) accepts: read and write by default, admin
 * too with --admin; --scope grants exactly the scopes given (space- or comma-separated). With
 * --console it prints a sign-in link for the web console instead: the token rides in the URL's
 * fragment, which the browser never sends to a server, and the console drops it from the address.
 */
import { parseArgs } from 'node:util';
import { issueToken, signingKey } from './auth.ts';
import { projectRoot } from './paths.ts';
import { consoleSignInUrl } from './console-url.ts';

const { values } = parseArgs({
  options: {
    team: { type: 'string' },
    sub: { type: 'string' },
    admin: { type: 'boolean', default: false },
    scope: { type: 'string' },
    hours: { type: 'string', default: '12' },
    console: { type: 'boolean', default: false },
  },
});

if (!values.team) {
  console.error(
    'usage: npm run token -- --team NAME [--sub USER] [--admin] [--scope SCOPES] [--hours N] [--console]',
  );
  process.exit(2);
}

const token = await issueToken(signingKey(projectRoot), {
  team: values.team,
  sub: values.sub ?? `${values.team}-user`,
  admin: values.admin,
  teamClaim: process.env.AUTH_TEAM_CLAIM ?? 'team',
  hours: Number(values.hours),
  ...(values.scope ? { scopes: values.scope.split(/[\s,]+/).filter(Boolean) } : {}),
});
console.log(values.console ? consoleSignInUrl(token, process.env.PORT) : token);
