// Placeholder until the page is written.
export default function Dashboard() {
  return <p className="muted">Not written yet.</p>;
}
