// The repositories of a project: server-side search (name part) and paging; artifact and pull
// counts, last update; a copyable pull command; deletion after confirmation.
import { useCallback, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, messageOf, totalOf } from "../../api/client";
import type { Repository } from "../../api/types";
import CopyCommand from "../../components/CopyCommand";
import { pagingOf, pullCommand, repoParam, repoShortName, repoUrl, useDebounced, useNewestRequest } from "../../components/registry";
import { Confirm, ErrorBanner, Pager, formatTime } from "../../components/ui";
import type { ProjectTabProps } from "./tab";
import "./repos.css";

export default function Repositories({ project, reload }: ProjectTabProps) {
  const [params, setParams] = useSearchParams();
  const { page } = pagingOf(params);
  const pageSize = 15;
  const [q, setQ] = useState(params.get("q") ?? "");
  const query = useDebounced(q.trim());
  const [rows, setRows] = useState<Repository[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState("");
  const [deleting, setDeleting] = useState<string | null>(null);

  const setPage = (p: number) =>
    setParams((old) => {
      const n = new URLSearchParams(old);
      n.set("page", String(p));
      return n;
    });

  useEffect(() => {
    setParams(
      (old) => {
        if ((old.get("q") ?? "") === query) return old;
        const n = new URLSearchParams(old);
        if (query) n.set("q", query);
        else n.delete("q");
        n.delete("page");
        return n;
      },
      { replace: true },
    );
  }, [query, setParams]);

  const begin = useNewestRequest();
  const load = useCallback(async () => {
    const isNewest = begin();
    setLoading(true);
    try {
      const { data, response } = await api.GET("/api/v2.0/projects/{project_name_or_id}/repositories", {
        params: {
          path: { project_name_or_id: String(project.project_id) },
          query: { page, page_size: pageSize, ...(query ? { q: `name=~${query}` } : {}) },
        },
      });
      if (!isNewest()) return;
      setRows(data ?? []);
      setTotal(totalOf(response));
      setError("");
    } catch (e) {
      if (isNewest()) setError(messageOf(e));
    } finally {
      if (isNewest()) setLoading(false);
    }
  }, [begin, project.project_id, page, query]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div>
      <div className="toolbar">
        <input type="search" placeholder="Search repositories" aria-label="Search repositories" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      <ErrorBanner error={error} />
      <table className="grid" aria-label="Repositories">
        <thead>
          <tr>
            <th>Name</th>
            <th>Artifacts</th>
            <th>Pulls</th>
            <th>Updated</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const name = repoShortName(r.name, project.name);
            return (
              <tr key={r.id}>
                <td>
                  <Link to={repoUrl(project.project_id, name)}>{r.name}</Link>
                  {r.description && <div className="muted">{r.description}</div>}
                </td>
                <td>{r.artifact_count}</td>
                <td>{r.pull_count}</td>
                <td className="nowrap">{formatTime(r.update_time)}</td>
                <td className="nowrap">
                  <CopyCommand compact text={pullCommand(project.name, name)} label={`Copy pull command for ${r.name}`} />{" "}
                  <button type="button" className="small" aria-label={`Delete repository ${r.name}`} onClick={() => setDeleting(name)}>
                    Delete
                  </button>
                </td>
              </tr>
            );
          })}
          {!loading && rows.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                {query ? "No repository matches." : "No repositories yet: push an image to create one."}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={pageSize} total={total} onPage={setPage} />
      <Confirm
        title="Delete repository"
        open={deleting !== null}
        message={
          <>
            Delete the repository <b>{project.name}/{deleting}</b> with all its artifacts and tags?
          </>
        }
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await api.DELETE("/api/v2.0/projects/{project_name_or_id}/repositories/{repository_name}", {
            params: { path: { project_name_or_id: String(project.project_id), repository_name: repoParam(deleting ?? "") } },
          });
          await load();
          await reload();
        }}
      />
    </div>
  );
}
