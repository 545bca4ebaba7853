// Hash routes (#/runs/abc): work the same from file:// in Electron and over http in serve mode.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'start' }
  | { page: 'new' }
  | { page: 'runs' }
  | { page: 'run'; runId: string }
  | { page: 'compare'; runIds: string[] }
  | { page: 'playground'; runId: string | null }
  | { page: 'settings' };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  const [head, id] = path.split('/');
  switch (head) {
    case 'new':
      return { page: 'new' };
    case 'runs':
      return id ? { page: 'run', runId: decodeURIComponent(id) } : { page: 'runs' };
    case 'compare':
      return { page: 'compare', runIds: (params.get('ids') ?? '').split(',').filter(Boolean) };
    case 'playground':
      return { page: 'playground', runId: params.get('run') };
    case 'settings':
      return { page: 'settings' };
    default:
      return { page: 'start' };
  }
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'run':
      return `#/runs/${encodeURIComponent(route.runId)}`;
    case 'compare':
      return `#/compare?ids=${route.runIds.map(encodeURIComponent).join(',')}`;
    case 'playground':
      return route.runId ? `#/playground?run=${encodeURIComponent(route.runId)}` : '#/playground';
    default:
      return `#/${route.page}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = hrefOf(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
