import { Component, type ErrorInfo, type ReactNode } from 'react';

/** Never a blank screen or a raw stack: a sentence and a way out. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('UI error', error, info.componentStack);
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <main className="auth-page" role="alert">
        <div className="card">
          <h1>Something went wrong</h1>
          <p>The page hit an unexpected problem. Your conversations are safe.</p>
          <div className="row">
            <button type="button" onClick={() => this.setState({ failed: false })}>Try again</button>
            <button type="button" className="secondary" onClick={() => location.assign('/')}>Reload</button>
          </div>
        </div>
      </main>
    );
  }
}
