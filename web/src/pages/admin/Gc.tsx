// Placeholder until the page is written.
export default function Gc() {
  return <p className="muted">Not written yet.</p>;
}
