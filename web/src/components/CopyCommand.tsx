// A command the user can copy (pull commands): the text is visible (or in the title when compact)
// and the button has an accessible name that says what it copies.
import { useState } from "react";

export default function CopyCommand({ text, label, compact = false }: { text: string; label: string; compact?: boolean }) {
  const [done, setDone] = useState(false);
  return (
    <span className={compact ? "copycmd compact" : "copycmd"}>
      {!compact && <code className="mono">{text}</code>}
      <button
        type="button"
        className="small"
        title={text}
        aria-label={label}
        data-command={text}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
          } catch {
            /* clipboard refused (plain http): the command is in the title */
          }
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        }}
      >
        {done ? "Copied" : compact ? "Copy pull" : "Copy"}
      </button>
    </span>
  );
}
