import { useEffect, useState, useSyncExternalStore } from 'react';
import { session } from './config';
import { navigate, useLocation } from './router';
import { ConfirmPage, ForgotPage, ResetPage, SignInPage, SignUpPage } from './pages/Auth';
import { ChatPage } from './pages/Chat';
import { useTheme } from './theme';

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
  useEffect(() => {
    if (!restoring) return;
    session.getAccessToken().catch(() => session.clear()).finally(() => setRestoring(false));
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
  const m = /^\/c\/([^/]+)$/.exec(path);
  return <ChatPage conversationId={m ? decodeURIComponent(m[1]) : null} themeButton={themeButton} />;
}
