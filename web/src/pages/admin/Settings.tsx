// Placeholder until the page is written.
export default function Settings() {
  return <p className="muted">Not written yet.</p>;
}
