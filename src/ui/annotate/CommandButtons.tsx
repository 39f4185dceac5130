import { Fragment } from 'react';
import { COMMANDS, type CommandContext } from './commands';

/** The keys of a command as printed: one <kbd> each, separated by "/". */
export function CommandKeys({ keys }: { keys: readonly string[] }) {
  return keys.map((key, index) => (
    <Fragment key={key}>
      {index > 0 && '/'}
      <kbd>{key}</kbd>
    </Fragment>
  ));
}

/** A button for each command of the table that has one, enabled as the table says. */
export function CommandButtons({ context }: { context: CommandContext }) {
  return (
    <div className="aw-actions">
      {COMMANDS.filter((command) => command.button).map((command) => (
        <button
          key={command.id}
          type="button"
          disabled={!command.enabled(context)}
          onClick={() => command.perform(context, null)}
          data-testid={command.testId}
        >
          {command.button} <CommandKeys keys={command.keys} />
        </button>
      ))}
    </div>
  );
}
