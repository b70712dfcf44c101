/** Hash routes (#/clusters, #/clusters/ID, #/new, #/team): deep links work without server routes. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'clusters' }
  | { page: 'new'; restoreFrom?: string }
  | { page: 'cluster'; clusterId: string }
  | { page: 'team' };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'new') {
    const restoreFrom = new URLSearchParams(query).get('restoreFrom');
    return restoreFrom ? { page: 'new', restoreFrom } : { page: 'new' };
  }
  if (parts[0] === 'clusters' && parts[1])
    return { page: 'cluster', clusterId: decodeURIComponent(parts[1]) };
  if (parts[0] === 'team') return { page: 'team' };
  return { page: 'clusters' };
}

export const href = {
  clusters: '#/clusters',
  team: '#/team',
  create: (restoreFrom?: string) =>
    restoreFrom ? `#/new?restoreFrom=${encodeURIComponent(restoreFrom)}` : '#/new',
  cluster: (id: string) => `#/clusters/${encodeURIComponent(id)}`,
};

export function navigate(to: string): void {
  location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
