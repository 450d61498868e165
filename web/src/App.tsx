import { Suspense, lazy, useEffect, useState, useSyncExternalStore } from 'react';
import { session } from './config';
import { humanMessage } from './api/errors';
import { navigate, useLocation } from './router';
import { ConfirmPage, ForgotPage, ResetPage, SignInPage, SignUpPage } from './pages/Auth';
import { ChatPage } from './pages/Chat';
import { SettingsPage } from './pages/Settings';
import { useTheme } from './theme';

// The import page is visited rarely: a chunk of its own, loaded when opened.
const ImportPage = lazy(() => import('./pages/import/ImportPage').then((m) => ({ default: m.ImportPage })));

const publicPaths = ['/sign-in', '/sign-up', '/confirm', '/forgot-password', '/reset-password'];

export function App() {
  const { path } = useLocation();
  const signedIn = useSyncExternalStore(
    (l) => session.subscribe(l),
    () => session.signedIn,
  );
  const [theme, toggleTheme] = useTheme();
  // After a reload only the refresh token is left: trade it for tokens first.
  const [restoring, setRestoring] = useState(() => session.signedIn && !session.hasAccessToken);
  // A refresh token the server refused has already ended the session (Session
  // clears it); any other failure (429, offline, 5xx) keeps it and says so.
  const [restoreError, setRestoreError] = useState<unknown>(null);
  useEffect(() => {
    if (!restoring) return;
    session
      .getAccessToken()
      .then(() => setRestoreError(null))
      .catch((err) => setRestoreError(session.signedIn ? err : null))
      .finally(() => setRestoring(false));
  }, [restoring]);

  const isPublic = publicPaths.includes(path);
  useEffect(() => {
    if (restoring) return;
    if (!signedIn && !isPublic) navigate('/sign-in', { replace: true });
    else if (signedIn && isPublic) navigate('/', { replace: true });
  }, [signedIn, isPublic, restoring]);

  const themeButton = (
    <button
      type="button"
      className="icon theme-toggle"
      onClick={toggleTheme}
      aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
      title={theme === 'dark' ? 'Light theme' : 'Dark theme'}
    >
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );

  if (restoring) return <div className="loading" role="status">Loading…</div>;
  if (restoreError && signedIn && !session.hasAccessToken) {
    return (
      <main className="auth-page">
        <div className="corner">{themeButton}</div>
        <div className="card" role="alert">
          <h1>Could not restore your session</h1>
          <p>{humanMessage(restoreError)}</p>
          <div className="row">
            <button type="button" onClick={() => setRestoring(true)}>Try again</button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                session.clear();
                setRestoreError(null);
                navigate('/sign-in', { replace: true });
              }}
            >
              Sign in again
            </button>
          </div>
        </div>
      </main>
    );
  }
  if (!signedIn || isPublic) {
    let page;
    switch (path) {
      case '/sign-up': page = <SignUpPage />; break;
      case '/confirm': page = <ConfirmPage />; break;
      case '/forgot-password': page = <ForgotPage />; break;
      case '/reset-password': page = <ResetPage />; break;
      default: page = <SignInPage />;
    }
    return (
      <>
        <div className="corner">{themeButton}</div>
        {page}
      </>
    );
  }
  if (path === '/settings') return <SettingsPage themeButton={themeButton} />;
  if (path === '/import') {
    return (
      <Suspense fallback={<div className="loading" role="status">Loading…</div>}>
        <ImportPage themeButton={themeButton} />
      </Suspense>
    );
  }
  const m = /^\/c\/([^/]+)$/.exec(path);
  return <ChatPage conversationId={m ? decodeURIComponent(m[1]) : null} themeButton={themeButton} />;
}
