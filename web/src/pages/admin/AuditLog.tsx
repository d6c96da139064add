// Placeholder until the page is written.
export default function AuditLog() {
  return <p className="muted">Not written yet.</p>;
}
