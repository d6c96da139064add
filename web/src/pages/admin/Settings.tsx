// Configuration (system admins): the system settings /configurations exposes besides authentication
// and LDAP (those are on the LDAP page). Saves only the keys that changed; a key the API marks as not
// editable is shown disabled.
import { useEffect, useState, type FormEvent } from "react";
import { messageOf } from "../../api/client";
import { ErrorBanner } from "../../components/ui";
import { useConfigurations, type ConfigKey } from "./config";
import "./admin.css";

const KEYS = [
  "project_creation_restriction",
  "self_registration",
  "token_expiration",
  "session_timeout",
  "robot_token_duration",
  "robot_name_prefix",
  "storage_per_project",
  "notification_enable",
  "read_only",
  "audit_log_forward_endpoint",
  "skip_audit_log_database",
] as const satisfies readonly ConfigKey[];

const UNITS: [string, number][] = [
  ["MiB", 1024 ** 2],
  ["GiB", 1024 ** 3],
  ["TiB", 1024 ** 4],
];

function splitBytes(n: number): { amount: string; unit: string } {
  if (n < 0) return { amount: "", unit: "GiB" };
  for (let i = UNITS.length - 1; i >= 0; i--) if (n % UNITS[i][1] === 0 && n >= UNITS[i][1]) return { amount: String(n / UNITS[i][1]), unit: UNITS[i][0] };
  return { amount: String(n / 1024 ** 2), unit: "MiB" };
}

export default function Settings() {
  const c = useConfigurations();
  const { values, set, editable } = c;
  const [quota, setQuota] = useState({ unlimited: true, amount: "", unit: "GiB" });
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState("");

  const loadedQuota = c.loaded?.storage_per_project.value;
  useEffect(() => {
    if (loadedQuota == null) return;
    setQuota({ unlimited: loadedQuota < 0, ...splitBytes(loadedQuota) });
  }, [loadedQuota]);

  if (!c.loaded) return c.error ? <ErrorBanner error={c.error} /> : <p className="muted">Loading…</p>;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setNotice("");
    c.setError("");
    const body: Record<string, unknown> = { ...c.changes(KEYS.filter((k) => k !== "storage_per_project")) };
    if (editable("storage_per_project")) {
      const factor = UNITS.find(([u]) => u === quota.unit)?.[1] ?? 1;
      const bytes = quota.unlimited ? -1 : Math.round(Number(quota.amount) * factor);
      if (!quota.unlimited && !(bytes > 0)) {
        c.setError("The default project quota must be a positive amount, or unlimited.");
        return;
      }
      if (bytes !== c.loaded?.storage_per_project.value) body.storage_per_project = bytes;
    }
    if (Object.keys(body).length === 0) {
      setNotice("Nothing changed.");
      return;
    }
    setBusy(true);
    try {
      await c.save(body);
      setNotice("Settings saved.");
    } catch (err) {
      c.setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  const text = (k: ConfigKey, label: string, hint?: string, type = "text") => (
    <div className="field">
    <label>
      {label}
      <input
        type={type}
        value={String(values[k] ?? "")}
        disabled={!editable(k)}
        aria-describedby={hint ? `${k}-hint` : undefined}
        min={type === "number" ? 1 : undefined}
        onChange={(e) => set(k, type === "number" ? (e.target.value === "" ? "" : Number(e.target.value)) : e.target.value)}
      />
    </label>
      {hint && (
        <span id={`${k}-hint`} className="hint">
          {hint}
        </span>
      )}
    </div>
  );
  const check = (k: ConfigKey, label: string, hint?: string) => (
    <div className="field">
    <label className="inline">
      <input type="checkbox" checked={values[k] === true} disabled={!editable(k)} onChange={(e) => set(k, e.target.checked)} aria-describedby={hint ? `${k}-hint` : undefined} />
      {label}
    </label>
      {hint && (
        <span id={`${k}-hint`} className="hint">
          {hint}
        </span>
      )}
    </div>
  );

  return (
    <section className="admin-page">
      <h1>Configuration</h1>
      <form onSubmit={submit}>
        <div className="card">
          <h2>Projects and users</h2>
          <div className="form-grid">
            <label>
              Project creation
              <select value={String(values.project_creation_restriction)} disabled={!editable("project_creation_restriction")} onChange={(e) => set("project_creation_restriction", e.target.value)}>
                <option value="everyone">Everyone</option>
                <option value="adminonly">Admin only</option>
              </select>
            </label>
            <fieldset>
              <legend>Default project quota</legend>
              <label className="inline">
                <input type="checkbox" checked={quota.unlimited} disabled={!editable("storage_per_project")} onChange={(e) => setQuota({ ...quota, unlimited: e.target.checked })} />
                Unlimited
              </label>
              {!quota.unlimited && (
                <div className="toolbar">
                  <input aria-label="Default quota amount" type="number" min={1} step="any" value={quota.amount} onChange={(e) => setQuota({ ...quota, amount: e.target.value })} />
                  <select aria-label="Default quota unit" value={quota.unit} onChange={(e) => setQuota({ ...quota, unit: e.target.value })}>
                    {UNITS.map(([u]) => (
                      <option key={u}>{u}</option>
                    ))}
                  </select>
                </div>
              )}
              <span className="hint">For projects created from now on.</span>
            </fieldset>
          </div>
          {check("self_registration", "Allow self-registration")}
        </div>
        <div className="card">
          <h2>Sessions and tokens</h2>
          <div className="form-grid">
            {text("token_expiration", "Token expiration (minutes)", "Lifetime of registry bearer tokens.", "number")}
            {text("session_timeout", "Session timeout (minutes)", "Idle time before a console session ends.", "number")}
            {text("robot_token_duration", "Robot account expiration (days)", "Default duration of new robot accounts.", "number")}
            {text("robot_name_prefix", "Robot name prefix")}
          </div>
        </div>
        <div className="card">
          <h2>System</h2>
          {check("notification_enable", "Webhooks enabled", "Deliver webhook notifications.")}
          {check("read_only", "Repository read-only", "Refuse pushes and deletions.")}
          <div className="form-grid">{text("audit_log_forward_endpoint", "Audit log forward endpoint", "Syslog endpoint (host:port); empty: none.")}</div>
          {check("skip_audit_log_database", "Skip the audit log database", "Only forward audit logs.")}
        </div>
        <ErrorBanner error={c.error} />
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={() => (setNotice(""), void c.reload())}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : "Save"}
          </button>
        </div>
      </form>
    </section>
  );
}
