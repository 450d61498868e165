import { useSyncExternalStore } from 'react';

/** A minimal history router: the path, the query and navigate(). */
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());
if (typeof window !== 'undefined') window.addEventListener('popstate', emit);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  emit();
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useLocation(): { path: string; query: URLSearchParams; hash: string } {
  const href = useSyncExternalStore(subscribe, () => location.pathname + location.search + location.hash);
  const u = new URL(href, 'http://x');
  return { path: u.pathname, query: u.searchParams, hash: u.hash.slice(1) };
}

export function Link(props: {
  to: string;
  children: React.ReactNode;
  className?: string;
  title?: string;
  'aria-label'?: string;
  onNavigate?: () => void;
}) {
  return (
    <a
      href={props.to}
      className={props.className}
      title={props.title}
      aria-label={props['aria-label']}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.to);
        props.onNavigate?.();
      }}
    >
      {props.children}
    </a>
  );
}
