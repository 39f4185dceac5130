import { memo } from 'react';
import { dismissStorageError, takeOver, useAnnotation } from '../../store/annotation';
import { downloadExport } from './ExportDialog';

/** The session's standing conditions: another tab writes, no tab coordination, storage not persistent, storage full. */
export const Banners = memo(function Banners({ onExport }: { onExport: () => void }) {
  const role = useAnnotation((state) => state.role);
  const persist = useAnnotation((state) => state.persist);
  const storageError = useAnnotation((state) => state.storageError);
  return (
    <>
      {role === 'read-only' && (
        <div className="aw-banner aw-banner-warn" role="alert" data-testid="read-only-banner">
          This session is open in another tab, which is the one saving work. This tab is read-only and shows that tab's changes as they
          happen.{' '}
          <button type="button" onClick={takeOver} data-testid="take-over">
            Take over here
          </button>
        </div>
      )}
      {role === 'unsupported' && (
        <div className="aw-banner aw-banner-warn" role="status">
          This browser cannot coordinate tabs (no Web Locks): keep this session open in one tab only.
        </div>
      )}
      {persist === 'refused' && (
        <div className="aw-banner" role="status" data-testid="persist-refused">
          The browser did not grant persistent storage: it may clear this session's data when space runs low. Export your work regularly.
        </div>
      )}
      {storageError && (
        <div className="aw-banner aw-banner-error" role="alert" data-testid="storage-error">
          {storageError}{' '}
          <button type="button" onClick={onExport}>
            Export now
          </button>{' '}
          <button type="button" onClick={() => downloadExport('all', 'jsonl')}>
            Export everything now
          </button>{' '}
          <button type="button" onClick={dismissStorageError}>
            Dismiss
          </button>
        </div>
      )}
    </>
  );
});
