// The project's audit log (/projects/{p}/logs), newest first, paged on the server; filtered by
// operation and user name through `q`.
import { useCallback, useEffect, useState } from "react";
import { api, messageOf, totalOf } from "../../api/client";
import type { components } from "../../api/schema";
import { useDebounced } from "../../components/registry";
import { ErrorBanner, Pager, formatTime } from "../../components/ui";
import type { ProjectTabProps } from "./tab";
import "./repos.css";

type AuditLog = components["schemas"]["AuditLog"];
const PAGE_SIZE = 20;
const OPERATIONS = ["create", "delete", "pull", "update"];

export default function Logs({ project }: ProjectTabProps) {
  const [operation, setOperation] = useState("");
  const [user, setUser] = useState("");
  const username = useDebounced(user.trim(), 300);
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<AuditLog[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState("");

  useEffect(() => setPage(1), [operation, username]);

  const load = useCallback(async () => {
    setLoading(true);
    const terms = [operation && `operation=${operation}`, username && `username=${username.replace(/,/g, "")}`].filter(Boolean).join(",");
    try {
      const { data, response } = await api.GET("/api/v2.0/projects/{project_name_or_id}/logs", {
        params: { path: { project_name_or_id: String(project.project_id) }, query: { page, page_size: PAGE_SIZE, ...(terms ? { q: terms } : {}) } },
      });
      setRows(data ?? []);
      setTotal(totalOf(response));
      setError("");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoading(false);
    }
  }, [project.project_id, page, operation, username]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div>
      <div className="toolbar">
        <select aria-label="Operation" value={operation} onChange={(e) => setOperation(e.target.value)}>
          <option value="">All operations</option>
          {OPERATIONS.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        <input type="search" placeholder="User name" aria-label="User name" value={user} onChange={(e) => setUser(e.target.value)} />
        <button type="button" onClick={() => void load()} disabled={loading}>
          {loading ? "Loading…" : "Refresh"}
        </button>
      </div>
      <ErrorBanner error={error} />
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
              <td className="nowrap">{formatTime(r.op_time)}</td>
              <td>{r.username}</td>
              <td>{r.operation}</td>
              <td>{r.resource_type}</td>
              <td className="mono breakall">{r.resource}</td>
            </tr>
          ))}
          {!loading && rows.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No matching records.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
    </div>
  );
}
