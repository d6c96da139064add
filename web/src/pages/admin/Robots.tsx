// Placeholder until the page is written.
export default function Robots() {
  return <p className="muted">Not written yet.</p>;
}
