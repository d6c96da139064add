// Placeholder until the page is written.
export default function Ldap() {
  return <p className="muted">Not written yet.</p>;
}
