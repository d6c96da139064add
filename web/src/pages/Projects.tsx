// Projects: the list the caller may see (server-side search by name part and paging), each with its
// access level, repository count and storage quota (from the project summary); a dialog to create
// one (name, public, storage limit) and deletion that first asks /_deletable, so a project that
// still holds repositories shows the API's reason instead of a delete button.
import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { api, messageOf, totalOf } from "../api/client";
import type { Project, ProjectSummary } from "../api/types";
import QuotaBar from "../components/QuotaBar";
import { useDebounced } from "../components/registry";
import { Confirm, ErrorBanner, Modal, Pager, formatTime } from "../components/ui";
import { useSession } from "../session";
import "./project/repos.css";

const PAGE_SIZE = 15;
const UNITS: [string, number][] = [
  ["MiB", 1024 ** 2],
  ["GiB", 1024 ** 3],
  ["TiB", 1024 ** 4],
];

export default function Projects() {
  const { user } = useSession();
  const [q, setQ] = useState("");
  const [access, setAccess] = useState<"" | "true" | "false">("");
  const query = useDebounced(q.trim());
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<Project[]>([]);
  const [summaries, setSummaries] = useState<Record<number, ProjectSummary | null>>({});
  const [total, setTotal] = useState(0);
  const [error, setError] = useState("");
  const [loading, setLoading] = useState(true);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Project | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const { data, response } = await api.GET("/api/v2.0/projects", {
        params: { query: { page, page_size: PAGE_SIZE, ...(query ? { name: query } : {}), ...(access ? { public: access } : {}) } },
      });
      const list = data ?? [];
      setRows(list);
      setTotal(totalOf(response));
      setError("");
      // The quota of each row from its summary (one small request per row of this page only).
      const entries = await Promise.all(
        list.map(async (p) => {
          try {
            const { data: s } = await api.GET("/api/v2.0/projects/{project_name_or_id}/summary", {
              params: { path: { project_name_or_id: String(p.project_id) } },
            });
            return [p.project_id, s ?? null] as const;
          } catch {
            return [p.project_id, null] as const;
          }
        }),
      );
      setSummaries(Object.fromEntries(entries));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoading(false);
    }
  }, [page, query, access]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section>
      <h1>Projects</h1>
      <div className="toolbar">
        <input type="search" placeholder="Search projects" aria-label="Search projects" value={q} onChange={(e) => (setQ(e.target.value), setPage(1))} />
        <select aria-label="Access level" value={access} onChange={(e) => (setAccess(e.target.value as "" | "true" | "false"), setPage(1))}>
          <option value="">All projects</option>
          <option value="true">Public</option>
          <option value="false">Private</option>
        </select>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New project
        </button>
      </div>
      <ErrorBanner error={error} />
      <table className="grid" aria-label="Projects">
        <thead>
          <tr>
            <th>Name</th>
            <th>Access level</th>
            <th>Repositories</th>
            <th>Quota</th>
            <th>Created</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => {
            const s = summaries[p.project_id];
            const canDelete = !!user?.sysadmin_flag || p.current_user_role_ids.includes(1);
            return (
              <tr key={p.project_id}>
                <td>
                  <Link to={`/projects/${p.project_id}/repositories`}>{p.name}</Link>
                </td>
                <td>{p.metadata?.public === "true" ? "Public" : "Private"}</td>
                <td>{p.repo_count}</td>
                <td className="quota-cell">{s?.quota ? <QuotaBar used={s.quota.used.storage} hard={s.quota.hard.storage} label={`Quota of ${p.name}`} /> : <span className="muted">—</span>}</td>
                <td>{formatTime(p.creation_time)}</td>
                <td>
                  {canDelete && (
                    <button type="button" className="small" aria-label={`Delete project ${p.name}`} onClick={() => setDeleting(p)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
          {!loading && rows.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                {query ? "No project matches." : "No projects yet."}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
      <CreateProject open={creating} onClose={() => setCreating(false)} onCreated={() => (setCreating(false), void load())} />
      <DeleteProject project={deleting} onClose={() => setDeleting(null)} onDeleted={() => void load()} />
    </section>
  );
}

function CreateProject({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(): void }) {
  return (
    <Modal title="New project" open={open} onClose={onClose}>
      <CreateProjectForm onClose={onClose} onCreated={onCreated} />
    </Modal>
  );
}

function CreateProjectForm({ onClose, onCreated }: { onClose(): void; onCreated(): void }) {
  const [name, setName] = useState("");
  const [isPublic, setPublic] = useState(false);
  const [limit, setLimit] = useState("-1");
  const [unit, setUnit] = useState("GiB");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const n = Number(limit);
    if (limit.trim() === "" || !Number.isFinite(n) || (n !== -1 && n <= 0)) {
      setError("The storage limit is -1 (unlimited) or a positive number.");
      return;
    }
    const storage_limit = n === -1 ? -1 : Math.round(n * (UNITS.find(([u]) => u === unit)?.[1] ?? 1));
    setBusy(true);
    setError("");
    try {
      await api.POST("/api/v2.0/projects", {
        body: { project_name: name.trim(), metadata: { public: isPublic ? "true" : "false" }, storage_limit },
      });
      onCreated();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit}>
      <label>
        Project name
        <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus maxLength={255} />
      </label>
      <p className="muted small-text">Lower-case letters and digits, with single . _ - between them.</p>
      <label className="inline">
        <input type="checkbox" checked={isPublic} onChange={(e) => setPublic(e.target.checked)} /> Public (anyone may pull)
      </label>
      <div className="row">
        <label>
          Storage limit (-1 = unlimited)
          <input type="number" min={-1} step="any" value={limit} onChange={(e) => setLimit(e.target.value)} />
        </label>
        <label>
          Unit
          <select value={unit} onChange={(e) => setUnit(e.target.value)} disabled={limit.trim() === "-1"}>
            {UNITS.map(([u]) => (
              <option key={u}>{u}</option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBanner error={error} />
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || !name.trim()}>
          {busy ? "Creating…" : "Create"}
        </button>
      </div>
    </form>
  );
}

// Asks /_deletable first: a project with repositories shows the API's reason and no delete button.
function DeleteProject({ project, onClose, onDeleted }: { project: Project | null; onClose(): void; onDeleted(): void }) {
  const [state, setState] = useState<{ checking: boolean; deletable: boolean; message: string }>({ checking: true, deletable: false, message: "" });
  useEffect(() => {
    if (!project) return;
    let stale = false;
    setState({ checking: true, deletable: false, message: "" });
    api
      .GET("/api/v2.0/projects/{project_name_or_id}/_deletable", { params: { path: { project_name_or_id: String(project.project_id) } } })
      .then(({ data }) => !stale && setState({ checking: false, deletable: !!data?.deletable, message: data?.message ?? "" }))
      .catch((e) => !stale && setState({ checking: false, deletable: false, message: messageOf(e) }));
    return () => {
      stale = true;
    };
  }, [project]);

  if (project && !state.checking && state.deletable)
    return (
      <Confirm
        title="Delete project"
        open
        message={
          <>
            Delete the project <b>{project.name}</b>? This cannot be undone.
          </>
        }
        onClose={onClose}
        onConfirm={async () => {
          await api.DELETE("/api/v2.0/projects/{project_name_or_id}", { params: { path: { project_name_or_id: String(project.project_id) } } });
          onDeleted();
        }}
      />
    );
  return (
    <Modal title="Delete project" open={!!project} onClose={onClose}>
      {state.checking ? <p className="muted">Checking whether {project?.name} can be deleted…</p> : <ErrorBanner error={`${project?.name} cannot be deleted: ${state.message}`} />}
      <div className="actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
