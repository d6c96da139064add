// Placeholder until the page is written.
export default function Account() {
  return <p className="muted">Not written yet.</p>;
}
