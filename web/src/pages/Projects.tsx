// Projects: the list the caller may see (server-side search and paging).
import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { api, messageOf, totalOf } from "../api/client";
import type { Project } from "../api/types";
import { ErrorBanner, Pager, formatTime } from "../components/ui";

const PAGE_SIZE = 15;

export default function Projects() {
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<Project[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState("");

  const load = useCallback(async () => {
    try {
      const { data, response } = await api.GET("/api/v2.0/projects", {
        params: { query: { page, page_size: PAGE_SIZE, ...(q ? { name: q } : {}) } },
      });
      setRows(data ?? []);
      setTotal(totalOf(response));
      setError("");
    } catch (e) {
      setError(messageOf(e));
    }
  }, [page, q]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section>
      <h1>Projects</h1>
      <div className="toolbar">
        <input type="search" placeholder="Search projects" aria-label="Search projects" value={q} onChange={(e) => (setQ(e.target.value), setPage(1))} />
      </div>
      <ErrorBanner error={error} />
      <table className="grid">
        <thead>
          <tr>
            <th>Name</th>
            <th>Access level</th>
            <th>Repositories</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.project_id}>
              <td>
                <Link to={`/projects/${p.project_id}`}>{p.name}</Link>
              </td>
              <td>{p.metadata?.public === "true" ? "Public" : "Private"}</td>
              <td>{p.repo_count}</td>
              <td>{formatTime(p.creation_time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
    </section>
  );
}
