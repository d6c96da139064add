// Placeholder until the page is written.
export default function Users() {
  return <p className="muted">Not written yet.</p>;
}
