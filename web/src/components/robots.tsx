// What both robot-account pages (a project's and the system's) show the same way: the one-time
// secret dialog and the expiry text.
import type { Robot } from "../api/types";
import { CopyButton, Modal } from "./ui";
import "./robots.css";

export function robotExpiry(r: Robot): string {
  if (r.expires_at < 0 || r.duration === -1) return "Never";
  const when = new Date(r.expires_at * 1000);
  return (when.getTime() < Date.now() ? "Expired " : "") + when.toLocaleString();
}

// The secret is shown after create and after a refresh, never retrievable again.
export function SecretDialog({ shown, onClose }: { shown: { name: string; secret: string } | null; onClose(): void }) {
  return (
    <Modal title="Robot account secret" open={!!shown} onClose={onClose}>
      {shown && (
        <>
          <p>
            Name: <code className="mono">{shown.name}</code>
          </p>
          <div className="secret-box">
            <code data-testid="robot-secret">{shown.secret}</code>
            <CopyButton text={shown.secret} label="Copy secret" />
          </div>
          <p className="warn-note" role="note">
            Copy the secret now: <strong>you will not see it again</strong>. If it is lost, refresh the secret to get a new one.
          </p>
          <div className="actions">
            <button type="button" className="primary" onClick={onClose}>
              Close
            </button>
          </div>
        </>
      )}
    </Modal>
  );
}
