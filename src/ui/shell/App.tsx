import { Suspense, useEffect, useState } from 'react';
import { useModelStore } from '../../store/model';
import { BackendBadge } from './BackendBadge';
import { ModelBar } from './ModelBar';
import { tabs } from './tabs';

function initialTab(): string {
  const wanted = new URLSearchParams(location.search).get('tab');
  return tabs.find((tab) => tab.id === wanted)?.id ?? tabs[0]?.id ?? '';
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
        <Suspense fallback={<p className="shell-note">Loading view…</p>}>{active && <active.View />}</Suspense>
      </main>
    </div>
  );
}
