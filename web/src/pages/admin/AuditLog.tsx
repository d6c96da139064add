// Audit log (system admins): /audit-logs newest first, server-side paging, filtered through `q` by
// operation, resource type, user, resource and a time range (local times, sent as unix seconds).
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, messageOf, totalOf } from "../../api/client";
import type { components } from "../../api/schema";
import { ErrorBanner, Pager, formatTime } from "../../components/ui";
import "./admin.css";

type AuditLogRow = components["schemas"]["AuditLog"];
const PAGE_SIZE = 20;
const OPERATIONS = ["create", "update", "delete", "pull"];
const RESOURCE_TYPES = ["project", "repository", "artifact", "tag", "robot", "user", "member", "notification_policy", "configuration"];

type Filters = { operation: string; resource_type: string; username: string; resource: string; from: string; to: string };
const EMPTY: Filters = { operation: "", resource_type: "", username: "", resource: "", from: "", to: "" };

function seconds(local: string): string {
  if (!local) return "";
  const t = new Date(local).getTime();
  return isNaN(t) ? "" : String(Math.floor(t / 1000));
}

function auditQuery(f: Filters): string {
  const terms: string[] = [];
  if (f.operation) terms.push(`operation=${f.operation}`);
  if (f.resource_type) terms.push(`resource_type=${f.resource_type.trim()}`);
  if (f.username) terms.push(`username=${f.username.trim()}`);
  if (f.resource) terms.push(`resource=~${f.resource.trim()}`);
  if (f.from || f.to) terms.push(`op_time=[${seconds(f.from)}~${seconds(f.to)}]`);
  return terms.join(",");
}

export default function AuditLog() {
  const [form, setForm] = useState<Filters>(EMPTY);
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<AuditLogRow[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState("");
  const [loading, setLoading] = useState(false);
  const [shownQ, setShownQ] = useState("");

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const { data, response } = await api.GET("/api/v2.0/audit-logs", {
        params: { query: { page, page_size: PAGE_SIZE, ...(q ? { q } : {}) } },
      });
      setRows(data ?? []);
      setTotal(totalOf(response));
      setShownQ(q);
      setError("");
    } catch (e) {
      setError(messageOf(e));
      setRows([]);
      setTotal(0);
    } finally {
      setLoading(false);
    }
  }, [page, q]);

  useEffect(() => {
    void load();
  }, [load]);

  function apply(e: FormEvent) {
    e.preventDefault();
    setPage(1);
    const next = auditQuery(form);
    if (next === q) void load();
    else setQ(next);
  }

  const set = (k: keyof Filters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [k]: e.target.value });
  return (
    <section className="admin-page">
      <h1>Audit Log</h1>
      <form className="card" onSubmit={apply} aria-label="Filters">
        <div className="form-grid">
          <label>
            Operation
            <select value={form.operation} onChange={set("operation")}>
              <option value="">Any</option>
              {OPERATIONS.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          </label>
          <label>
            Resource type
            <input list="audit-resource-types" value={form.resource_type} onChange={set("resource_type")} placeholder="Any" />
            <datalist id="audit-resource-types">
              {RESOURCE_TYPES.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
          </label>
          <label>
            Username
            <input value={form.username} onChange={set("username")} placeholder="Any" />
          </label>
          <label>
            Resource contains
            <input value={form.resource} onChange={set("resource")} placeholder="Any" />
          </label>
          <label>
            From
            <input type="datetime-local" value={form.from} onChange={set("from")} />
          </label>
          <label>
            To
            <input type="datetime-local" value={form.to} onChange={set("to")} />
          </label>
        </div>
        <div className="actions">
          <button type="button" onClick={() => (setForm(EMPTY), setPage(1), setQ(""))}>
            Clear
          </button>
          <button type="submit" className="primary" disabled={loading}>
            Search
          </button>
        </div>
      </form>
      <ErrorBanner error={error} />
      <h2 className="muted" style={{ fontSize: "0.95rem" }}>
        {total} record{total === 1 ? "" : "s"}
        {shownQ ? ` matching ${shownQ}` : ""}
      </h2>
      <table className="grid" aria-label="Audit log">
        <thead>
          <tr>
            <th>Time</th>
            <th>User</th>
            <th>Operation</th>
            <th>Resource type</th>
            <th>Resource</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{formatTime(r.op_time)}</td>
              <td>{r.username}</td>
              <td>{r.operation}</td>
              <td>{r.resource_type}</td>
              <td className="mono">{r.resource}</td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                {loading ? "Loading…" : "No records."}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
    </section>
  );
}
