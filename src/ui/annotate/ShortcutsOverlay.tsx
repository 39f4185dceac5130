import { CommandKeys } from './CommandButtons';
import { COMMANDS } from './commands';

export function ShortcutsOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div className="aw-dialog aw-shortcuts" role="dialog" aria-modal="true" aria-labelledby="aw-shortcuts-title">
      <h2 id="aw-shortcuts-title">Keyboard shortcuts</h2>
      <table>
        <tbody>
          {COMMANDS.map((command) => (
            <tr key={command.id}>
              <th scope="row">
                <CommandKeys keys={command.keys} />
              </th>
              <td>{command.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="aw-muted">Keys do nothing while you type in the note or name fields.</p>
      <div className="aw-dialog-actions">
        <button type="button" onClick={onClose}>
          Close <kbd>Esc</kbd>
        </button>
      </div>
    </div>
  );
}
