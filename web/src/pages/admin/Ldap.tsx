// LDAP (system admins): the authentication mode and the ldap_* settings of /configurations. The
// search password is write-only: the field starts empty and is sent only when typed. "Test LDAP
// server" posts the form's current values to /ldap/ping (an empty password keeps the stored one) and
// shows the outcome, or the API's message.
import { useState, type FormEvent } from "react";
import { api, messageOf } from "../../api/client";
import { ErrorBanner } from "../../components/ui";
import { useConfigurations, type ConfigKey } from "./config";
import "./admin.css";

const LDAP_KEYS = [
  "auth_mode",
  "ldap_url",
  "ldap_search_dn",
  "ldap_base_dn",
  "ldap_filter",
  "ldap_uid",
  "ldap_scope",
  "ldap_timeout",
  "ldap_verify_cert",
  "ldap_group_base_dn",
  "ldap_group_search_filter",
  "ldap_group_attribute_name",
  "ldap_group_admin_dn",
  "ldap_group_membership_attribute",
  "ldap_group_search_scope",
] as const satisfies readonly ConfigKey[];

const PING_KEYS = ["ldap_url", "ldap_search_dn", "ldap_base_dn", "ldap_filter", "ldap_uid", "ldap_scope", "ldap_timeout", "ldap_verify_cert"] as const;

const SCOPES: [number, string][] = [
  [0, "Base"],
  [1, "One level"],
  [2, "Subtree"],
];

export default function Ldap() {
  const c = useConfigurations();
  const { values, set, editable } = c;
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState("");
  const [notice, setNotice] = useState("");
  const [ping, setPing] = useState<{ ok: boolean; message: string } | null>(null);

  if (!c.loaded) return c.error ? <ErrorBanner error={c.error} /> : <p className="muted">Loading…</p>;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setNotice("");
    c.setError("");
    const body: Record<string, unknown> = { ...c.changes(LDAP_KEYS) };
    if (password) body.ldap_search_password = password;
    if (Object.keys(body).length === 0) {
      setNotice("Nothing changed.");
      return;
    }
    setBusy("save");
    try {
      await c.save(body);
      setPassword("");
      setNotice("LDAP settings saved.");
    } catch (err) {
      c.setError(messageOf(err));
    } finally {
      setBusy("");
    }
  }

  async function test() {
    setPing(null);
    setBusy("ping");
    const body: Record<string, unknown> = {};
    for (const k of PING_KEYS) body[k] = values[k];
    if (password) body.ldap_search_password = password;
    try {
      const { data } = await api.POST("/api/v2.0/ldap/ping", { body });
      setPing(data?.success ? { ok: true, message: "Connection to the LDAP server succeeded." } : { ok: false, message: data?.message || "The LDAP server refused." });
    } catch (err) {
      setPing({ ok: false, message: messageOf(err) });
    } finally {
      setBusy("");
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
  const scope = (k: ConfigKey, label: string) => (
    <label>
      {label}
      <select value={String(values[k])} disabled={!editable(k)} onChange={(e) => set(k, Number(e.target.value))}>
        {SCOPES.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <section className="admin-page">
      <h1>LDAP</h1>
      <form onSubmit={submit}>
        <div className="card">
          <h2>Authentication</h2>
          <div className="field form-narrow">
          <label>
            Authentication mode
            <select value={String(values.auth_mode)} disabled={!editable("auth_mode")} onChange={(e) => set("auth_mode", e.target.value)} aria-describedby="auth-mode-hint">
              <option value="db_auth">Database</option>
              <option value="ldap_auth">LDAP</option>
            </select>
          </label>
            <span id="auth-mode-hint" className="hint">
              {editable("auth_mode") ? "Can change only while no user but admin exists." : "Fixed: users other than admin exist."}
            </span>
          </div>
        </div>
        <div className="card">
          <h2>Directory</h2>
          <div className="form-grid">
            {text("ldap_url", "LDAP URL", "ldap://host:389 or ldaps://host:636")}
            {text("ldap_search_dn", "Search DN", "The account used to search the directory.")}
            <div className="field">
            <label>
              Search password
              <input type="password" value={password} autoComplete="new-password" disabled={!editable("ldap_search_dn")} onChange={(e) => setPassword(e.target.value)} aria-describedby="ldap-pw-hint" />
            </label>
              <span id="ldap-pw-hint" className="hint">
                Write-only: leave empty to keep the stored one.</span>
            </div>
            {text("ldap_base_dn", "Base DN")}
            {text("ldap_filter", "Filter", "e.g. (objectClass=person)")}
            {text("ldap_uid", "UID attribute", "e.g. uid, cn, sAMAccountName")}
            {scope("ldap_scope", "Search scope")}
            {text("ldap_timeout", "Timeout (seconds)", undefined, "number")}
          </div>
          <label className="inline">
            <input type="checkbox" checked={values.ldap_verify_cert === true} disabled={!editable("ldap_verify_cert")} onChange={(e) => set("ldap_verify_cert", e.target.checked)} />
            Verify the server certificate (ldaps)
          </label>
        </div>
        <div className="card">
          <h2>Groups</h2>
          <div className="form-grid">
            {text("ldap_group_base_dn", "Group base DN")}
            {text("ldap_group_search_filter", "Group filter")}
            {text("ldap_group_attribute_name", "Group name attribute", "e.g. cn")}
            {text("ldap_group_admin_dn", "Admin group DN", "Its members are system admins.")}
            {text("ldap_group_membership_attribute", "Group membership attribute", "e.g. memberof")}
            {scope("ldap_group_search_scope", "Group search scope")}
          </div>
        </div>
        <ErrorBanner error={c.error} />
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {ping &&
          (ping.ok ? (
            <p className="notice" role="status" data-testid="ldap-ping">
              {ping.message}
            </p>
          ) : (
            <p className="error" role="alert" data-testid="ldap-ping">
              LDAP test failed: {ping.message}
            </p>
          ))}
        <div className="actions">
          <button type="button" onClick={() => void test()} disabled={busy === "ping"}>
            {busy === "ping" ? "Testing…" : "Test LDAP server"}
          </button>
          <button type="submit" className="primary" disabled={busy === "save"}>
            {busy === "save" ? "Saving…" : "Save"}
          </button>
        </div>
      </form>
    </section>
  );
}
