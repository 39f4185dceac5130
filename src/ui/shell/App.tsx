import { Component, type ReactNode, Suspense, useEffect, useState } from 'react';
import { errorMessage } from '../../core/errors';
import { useModelStore } from '../../store/model';
import { BackendBadge } from './BackendBadge';
import { ModelBar } from './ModelBar';
import { tabs } from './tabs';

function initialTab(): string {
  const wanted = new URLSearchParams(location.search).get('tab');
  return tabs.find((tab) => tab.id === wanted)?.id ?? tabs[0]?.id ?? '';
}

/** A view whose chunk could not be loaded (offline before the service worker had it) says so instead of vanishing. */
class ViewLoadBoundary extends Component<{ children: ReactNode; onRetry: () => void }, { error: string | null }> {
  override state = { error: null as string | null };

  static getDerivedStateFromError(error: unknown) {
    return { error: errorMessage(error) };
  }

  override render() {
    if (this.state.error === null) return this.props.children;
    return (
      <div className="shell-note" role="alert" data-testid="view-load-error">
        <p>
          This view could not be loaded{navigator.onLine ? '' : ' (you are offline)'}: {this.state.error}. Your work is safe; reload the
          page once the network is back.
        </p>
        <button
          type="button"
          onClick={() => {
            this.setState({ error: null });
            this.props.onRetry();
          }}
        >
          Try again
        </button>
      </div>
    );
  }
}

export function App() {
  const fetchIndex = useModelStore((state) => state.fetchIndex);
  const [tabId, setTabId] = useState(initialTab);
  const active = tabs.find((tab) => tab.id === tabId) ?? tabs[0];

  useEffect(() => {
    void fetchIndex();
  }, [fetchIndex]);

  return (
    <div className="shell">
      <header className="shell-header">
        <h1 className="shell-title">Labelwise</h1>
        <nav className="shell-tabs" aria-label="Views">
          {tabs.map((tab) => (
            <button
              key={tab.id}
              type="button"
              className="shell-tab"
              aria-current={tab.id === active?.id ? 'page' : undefined}
              onClick={() => setTabId(tab.id)}
            >
              {tab.title}
            </button>
          ))}
        </nav>
        <BackendBadge />
      </header>
      <ModelBar />
      <main className="shell-main">
        <ViewLoadBoundary key={tabId} onRetry={() => location.reload()}>
          <Suspense fallback={<p className="shell-note">Loading view…</p>}>{active && <active.View />}</Suspense>
        </ViewLoadBoundary>
      </main>
    </div>
  );
}
