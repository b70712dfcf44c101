/** The web console (contract, "Console"): sign-in, then the team's clusters, through the public API only. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { publicJson, setToken, whenUnauthorized } from './api.ts';
import { identityOf, readConfig, type Identity } from './config.ts';
import { completeSignIn, tokenFromFragment } from './oidc.ts';
import { ClusterPage } from './pages/cluster.tsx';
import { ClustersPage } from './pages/clusters.tsx';
import { CreatePage } from './pages/create.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { TeamPage } from './pages/team.tsx';
import { href, useRoute } from './router.ts';
import type { OpenApi } from './schema.ts';
import './app.css';

const config = readConfig();

function App() {
  const [identity, setIdentity] = useState<Identity | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [openapi, setOpenapi] = useState<OpenApi | undefined>();
  const route = useRoute();

  const signIn = (token: string): string | undefined => {
    const who = identityOf(token, config.teamClaim);
    if (!who) return `That is not a token of this API (it needs a "${config.teamClaim}" claim).`;
    if (who.exp && who.exp * 1000 < Date.now()) return 'That token has expired: get a new one.';
    setToken(token);
    setNotice(undefined);
    setIdentity(who);
    return undefined;
  };
  const signOut = (why?: string) => {
    setToken(undefined);
    setIdentity(undefined);
    setNotice(why);
  };

  useEffect(() => {
    whenUnauthorized(() => signOut('Your session ended or the token was refused: sign in again.'));
    publicJson<OpenApi>('/openapi.json').then(setOpenapi, () => undefined);
    // A sign-in link (npm run token -- --console), on load or followed from an open console.
    const fromLink = () => {
      const pasted = tokenFromFragment();
      if (!pasted) return false;
      const problem = signIn(pasted);
      if (problem) setNotice(problem);
      return true;
    };
    addEventListener('hashchange', fromLink);
    if (fromLink()) return;
    completeSignIn(config).then(
      (token) => token && signIn(token),
      (error: Error) => setNotice(error.message),
    );
  }, []);

  useEffect(() => {
    const titles = { clusters: 'Clusters', new: 'New cluster', cluster: 'Cluster', team: 'Team' };
    document.title = identity
      ? `${titles[route.page]} · Determined clusters`
      : 'Sign in · Determined clusters';
  }, [route, identity]);

  if (!identity) return <SignInPage config={config} onToken={signIn} notice={notice} />;
  return (
    <>
      <header class="top">
        <a class="brand" href={href.clusters}>
          Determined clusters
        </a>
        <nav aria-label="Main">
          <a href={href.clusters} aria-current={route.page === 'clusters' ? 'page' : undefined}>
            Clusters
          </a>
          <a href={href.create()} aria-current={route.page === 'new' ? 'page' : undefined}>
            New cluster
          </a>
          <a href={href.team} aria-current={route.page === 'team' ? 'page' : undefined}>
            Team
          </a>
        </nav>
        <span class="who">
          {identity.sub} · team <strong>{identity.team}</strong>
        </span>
        <button type="button" class="secondary" onClick={() => signOut('Signed out.')}>
          Sign out
        </button>
      </header>
      <main>
        {route.page === 'clusters' && <ClustersPage />}
        {route.page === 'new' && <CreatePage openapi={openapi} restoreFrom={route.restoreFrom} />}
        {route.page === 'cluster' && <ClusterPage clusterId={route.clusterId} openapi={openapi} />}
        {route.page === 'team' && <TeamPage identity={identity} openapi={openapi} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
