// System robot accounts (system admins): the list (Level=system, name search, paging); create one with
// project permissions for every project ("*") or chosen projects, plus optional system permissions
// (the catalog comes from /permissions); the secret is shown once, after creation or a refresh;
// enable/disable; delete with confirmation.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, messageOf, totalOf } from "../../api/client";
import type { Project, Robot } from "../../api/types";
import type { components } from "../../api/schema";
import { robotExpiry, SecretDialog } from "../../components/robots";
import { Confirm, ErrorBanner, Modal, Pager, formatTime } from "../../components/ui";
import "./admin.css";

type Perm = components["schemas"]["Permission"];
type RobotPermission = components["schemas"]["RobotPermission"];
const PAGE_SIZE = 15;
const key = (p: Perm) => `${p.resource}:${p.action}`;
const DEFAULT_PROJECT_PERMS = ["repository:pull"];

function coverage(r: Robot): string {
  const projects = r.permissions.filter((p) => p.kind === "project");
  const system = r.permissions.filter((p) => p.kind === "system").reduce((n, p) => n + p.access.length, 0);
  const names = projects.some((p) => p.namespace === "*") ? "All projects" : projects.map((p) => p.namespace).join(", ") || "No projects";
  return system ? `${names}; ${system} system permission${system === 1 ? "" : "s"}` : names;
}

function PermGrid({ legend, perms, chosen, onChange }: { legend: string; perms: Perm[]; chosen: Set<string>; onChange(s: Set<string>): void }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div className="toolbar">
        <button type="button" className="small" onClick={() => onChange(new Set(perms.map(key)))}>
          Select all
        </button>
        <button type="button" className="small" onClick={() => onChange(new Set())}>
          Clear
        </button>
        <span className="hint">{chosen.size} selected</span>
      </div>
      <div className="perm-grid">
        {perms.map((p) => (
          <label key={key(p)} className="inline">
            <input
              type="checkbox"
              checked={chosen.has(key(p))}
              onChange={(e) => {
                const s = new Set(chosen);
                if (e.target.checked) s.add(key(p));
                else s.delete(key(p));
                onChange(s);
              }}
            />
            {p.resource} {p.action}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function ProjectPicker({ chosen, onChange }: { chosen: string[]; onChange(names: string[]): void }) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Project[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    let live = true;
    const t = setTimeout(async () => {
      try {
        const { data } = await api.GET("/api/v2.0/projects", { params: { query: { page: 1, page_size: 20, ...(q ? { name: q } : {}) } } });
        if (live) (setFound(data ?? []), setError(""));
      } catch (e) {
        if (live) setError(messageOf(e));
      }
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q]);
  return (
    <fieldset>
      <legend>Projects</legend>
      <input type="search" aria-label="Search projects to add" placeholder="Search projects" value={q} onChange={(e) => setQ(e.target.value)} />
      <ErrorBanner error={error} />
      <div className="perm-grid">
        {[...new Set([...chosen, ...found.map((p) => p.name)])].map((name) => (
          <label key={name} className="inline">
            <input type="checkbox" checked={chosen.includes(name)} onChange={(e) => onChange(e.target.checked ? [...chosen, name] : chosen.filter((n) => n !== name))} />
            {name}
          </label>
        ))}
      </div>
      <span className="hint">Showing up to 20 matches; {chosen.length} chosen.</span>
    </fieldset>
  );
}

function CreateRobot({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(name: string, secret: string): void }) {
  const [catalog, setCatalog] = useState<{ system: Perm[]; project: Perm[] }>({ system: [], project: [] });
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [never, setNever] = useState(false);
  const [days, setDays] = useState(30);
  const [all, setAll] = useState(true);
  const [projects, setProjects] = useState<string[]>([]);
  const [projectPerms, setProjectPerms] = useState(new Set(DEFAULT_PROJECT_PERMS));
  const [systemPerms, setSystemPerms] = useState(new Set<string>());
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    (async () => {
      try {
        const [{ data: perms }, { data: conf }] = await Promise.all([api.GET("/api/v2.0/permissions"), api.GET("/api/v2.0/configurations")]);
        setCatalog({ system: perms?.system ?? [], project: perms?.project ?? [] });
        if (conf) setDays(conf.robot_token_duration.value);
      } catch (e) {
        setError(messageOf(e));
      }
    })();
  }, [open]);

  const toAccess = (s: Set<string>) =>
    [...s].map((k) => {
      const [resource, action] = k.split(":");
      return { resource, action };
    });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError("");
    const permissions: RobotPermission[] = [];
    if (projectPerms.size) {
      const namespaces = all ? ["*"] : projects;
      for (const ns of namespaces) permissions.push({ kind: "project", namespace: ns, access: toAccess(projectPerms) });
    }
    if (systemPerms.size) permissions.push({ kind: "system", namespace: "/", access: toAccess(systemPerms) });
    setBusy(true);
    try {
      const { data } = await api.POST("/api/v2.0/robots", {
        body: { name, description, level: "system", duration: never ? -1 : days, permissions },
      });
      if (data) onCreated(data.name, data.secret);
      setName("");
      setDescription("");
      setProjects([]);
      onClose();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title="New robot account" open={open} onClose={onClose}>
      <form onSubmit={submit}>
        <div className="field">
        <label>
          Name
          <input required value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" aria-describedby="robot-name-hint" />
        </label>
          <span id="robot-name-hint" className="hint">
            Lower-case letters and digits, single . _ - between them.
          </span>
        </div>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <div className="toolbar">
          <label className="inline">
            <input type="checkbox" checked={never} onChange={(e) => setNever(e.target.checked)} />
            Never expires
          </label>
          {!never && (
            <label className="inline">
              Expires after (days)
              <input type="number" min={1} value={days} onChange={(e) => setDays(Number(e.target.value))} style={{ width: "6em" }} />
            </label>
          )}
        </div>
        <fieldset>
          <legend>Coverage</legend>
          <label className="inline">
            <input type="radio" name="coverage" checked={all} onChange={() => setAll(true)} />
            All projects (including future ones)
          </label>
          <label className="inline">
            <input type="radio" name="coverage" checked={!all} onChange={() => setAll(false)} />
            Selected projects
          </label>
        </fieldset>
        {!all && <ProjectPicker chosen={projects} onChange={setProjects} />}
        <PermGrid legend="Project permissions" perms={catalog.project} chosen={projectPerms} onChange={setProjectPerms} />
        <details>
          <summary>System permissions ({systemPerms.size})</summary>
          <PermGrid legend="System permissions" perms={catalog.system} chosen={systemPerms} onChange={setSystemPerms} />
        </details>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Creating…" : "Create"}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export default function Robots() {
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<Robot[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState("");
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [deleting, setDeleting] = useState<Robot | null>(null);
  const [refreshing, setRefreshing] = useState<Robot | null>(null);
  const [busyId, setBusyId] = useState(0);

  const load = useCallback(async () => {
    try {
      const { data, response } = await api.GET("/api/v2.0/robots", {
        params: { query: { page, page_size: PAGE_SIZE, q: q ? `Level=system,name=~${q}` : "Level=system" } },
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

  async function toggle(r: Robot) {
    setBusyId(r.id);
    try {
      await api.PUT("/api/v2.0/robots/{robot_id}", {
        params: { path: { robot_id: r.id } },
        body: { name: r.name, description: r.description, level: r.level, duration: r.duration, disable: !r.disable, permissions: r.permissions },
      });
      await load();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusyId(0);
    }
  }

  return (
    <section className="admin-page">
      <h1>Robot Accounts</h1>
      <div className="toolbar">
        <input type="search" placeholder="Search robots" aria-label="Search robots" value={q} onChange={(e) => (setQ(e.target.value), setPage(1))} />
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New robot account
        </button>
      </div>
      <ErrorBanner error={error} />
      <table className="grid">
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Permissions</th>
            <th>Expires</th>
            <th>Description</th>
            <th>Created</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td className="mono">{r.name}</td>
              <td>{r.disable ? "Disabled" : "Enabled"}</td>
              <td>{coverage(r)}</td>
              <td>{robotExpiry(r)}</td>
              <td>{r.description}</td>
              <td>{formatTime(r.creation_time)}</td>
              <td>
                <div className="row-actions">
                  <button type="button" className="small" onClick={() => setRefreshing(r)} aria-label={`Refresh secret of ${r.name}`}>
                    Refresh secret
                  </button>
                  <button type="button" className="small" disabled={busyId === r.id} onClick={() => void toggle(r)} aria-label={`${r.disable ? "Enable" : "Disable"} ${r.name}`}>
                    {r.disable ? "Enable" : "Disable"}
                  </button>
                  <button type="button" className="small" onClick={() => setDeleting(r)} aria-label={`Delete ${r.name}`}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No system robot accounts.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
      <CreateRobot
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(name, s) => {
          setSecret({ name, secret: s });
          void load();
        }}
      />
      <SecretDialog shown={secret} onClose={() => setSecret(null)} />
      <Confirm
        title="Refresh secret"
        open={!!refreshing}
        confirmLabel="Refresh"
        message={`Generate a new secret for ${refreshing?.name ?? ""}? The old one stops working.`}
        onClose={() => setRefreshing(null)}
        onConfirm={async () => {
          if (!refreshing) return;
          const { data } = await api.PATCH("/api/v2.0/robots/{robot_id}", { params: { path: { robot_id: refreshing.id } }, body: {} });
          if (data?.secret) setSecret({ name: refreshing.name, secret: data.secret });
        }}
      />
      <Confirm
        title="Delete robot account"
        open={!!deleting}
        message={`Delete ${deleting?.name ?? ""}? Clients using it lose access.`}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.DELETE("/api/v2.0/robots/{robot_id}", { params: { path: { robot_id: deleting.id } } });
          if (rows.length === 1 && page > 1) setPage(page - 1);
          else await load();
        }}
      />
    </section>
  );
}
