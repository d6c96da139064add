// Robot accounts of a project (the v2 model: GET /robots?q=Level=project,ProjectID=<id>, server-side
// paging). Create one with a name, description, expiry (days, or never = -1) and a permission
// checklist built from GET /permissions (the project catalog: resources × actions); its secret is
// shown once in a dialog with a copy button. Refresh the secret (PATCH, the new one shown once),
// enable/disable (PUT with the robot's own permissions), delete with a confirmation.
import { useCallback, useEffect, useMemo, useState } from "react";
import { api, messageOf, totalOf } from "../../api/client";
import type { Robot } from "../../api/types";
import type { components } from "../../api/schema";
import { robotExpiry, SecretDialog } from "../../components/robots";
import { Confirm, ErrorBanner, Modal, Pager, formatTime } from "../../components/ui";
import type { ProjectTabProps } from "./tab";
import "./project.css";

type Permission = components["schemas"]["Permission"];
type Access = components["schemas"]["RobotAccess"];

const PAGE_SIZE = 15;

// "robot$<project>+<name>": the list already answers with the login name; a bare name is completed.
export function robotLogin(name: string, project: string): string {
  return name.startsWith("robot$") ? name : `robot$${project}+${name}`;
}

function accessSummary(r: Robot): string {
  const by = new Map<string, string[]>();
  for (const p of r.permissions)
    for (const a of p.access) {
      if (a.effect === "deny") continue;
      by.set(a.resource, [...(by.get(a.resource) ?? []), a.action]);
    }
  return [...by].map(([res, acts]) => `${res}: ${acts.join(", ")}`).join("; ");
}

// Resources in the catalog's order, each with its actions.
function byResource(catalog: Permission[]): [string, string[]][] {
  const m = new Map<string, string[]>();
  for (const p of catalog) {
    const acts = m.get(p.resource) ?? [];
    if (!acts.includes(p.action)) acts.push(p.action);
    m.set(p.resource, acts);
  }
  return [...m];
}

const key = (resource: string, action: string) => `${resource}\u0000${action}`;

function CreateRobot({ project, open, onClose, onCreated }: { project: { id: number; name: string }; open: boolean; onClose(): void; onCreated(name: string, secret: string): void }) {
  const [catalog, setCatalog] = useState<Permission[]>([]);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [never, setNever] = useState(false);
  const [days, setDays] = useState(30);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setName("");
    setDescription("");
    setNever(false);
    setDays(30);
    setPicked(new Set());
    setError("");
    (async () => {
      try {
        const { data } = await api.GET("/api/v2.0/permissions");
        setCatalog(data?.project ?? []);
      } catch (e) {
        setError(messageOf(e));
      }
    })();
  }, [open]);

  const groups = useMemo(() => byResource(catalog), [catalog]);
  const toggle = (k: string, on: boolean) =>
    setPicked((s) => {
      const n = new Set(s);
      if (on) n.add(k);
      else n.delete(k);
      return n;
    });

  return (
    <Modal title="New robot account" open={open} onClose={onClose}>
      <form
        className="wide-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError("");
          const access: Access[] = groups.flatMap(([res, acts]) => acts.filter((a) => picked.has(key(res, a))).map((action) => ({ resource: res, action })));
          if (access.length === 0) {
            setError("Pick at least one permission.");
            return;
          }
          setBusy(true);
          try {
            const { data } = await api.POST("/api/v2.0/robots", {
              body: {
                name: name.trim(),
                description,
                level: "project",
                duration: never ? -1 : days,
                permissions: [{ kind: "project", namespace: project.name, access }],
              },
            });
            onClose();
            if (data) onCreated(data.name, data.secret);
          } catch (err) {
            setError(messageOf(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="form-row">
          <label>
            Name
            <input required value={name} onChange={(e) => setName(e.target.value)} aria-describedby="robot-login" pattern="[a-z0-9]+(?:[._\-][a-z0-9]+)*" title="Lower-case letters and digits, single . _ - between them" />
          </label>
          <label>
            Description
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
        </div>
        <p className="muted" id="robot-login">
          Login name: <span className="mono">{robotLogin(name.trim() || "…", project.name)}</span>
        </p>
        <div className="form-row">
          <label>
            Expires after (days)
            <input type="number" min={1} max={2147483646} required={!never} disabled={never} value={days} onChange={(e) => setDays(Number(e.target.value))} />
          </label>
          <label className="inline align-end">
            <input type="checkbox" checked={never} onChange={(e) => setNever(e.target.checked)} />
            Never expires
          </label>
        </div>
        <div className="toolbar">
          <strong>Permissions</strong>
          <span className="spacer" />
          <button type="button" className="small" onClick={() => setPicked(new Set(catalog.map((p) => key(p.resource, p.action))))}>
            Select all
          </button>
          <button type="button" className="small" onClick={() => setPicked(new Set())}>
            Clear
          </button>
        </div>
        <div className="perm-grid" role="group" aria-label="Permissions">
          {groups.length === 0 && <p className="muted">Loading permissions…</p>}
          {groups.map(([res, acts]) => (
            <div className="perm-row" key={res}>
              <span className="res">{res}</span>
              <span className="acts">
                {acts.map((a) => (
                  <label className="inline" key={a}>
                    <input type="checkbox" checked={picked.has(key(res, a))} onChange={(e) => toggle(key(res, a), e.target.checked)} />
                    <span className="sr-only">{res} </span>
                    {a}
                  </label>
                ))}
              </span>
            </div>
          ))}
        </div>
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

export default function Robots({ project }: ProjectTabProps) {
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<Robot[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState("");
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [refreshing, setRefreshing] = useState<Robot | null>(null);
  const [deleting, setDeleting] = useState<Robot | null>(null);
  const [busyId, setBusyId] = useState(0);

  const load = useCallback(async () => {
    try {
      const { data, response } = await api.GET("/api/v2.0/robots", {
        params: { query: { q: `Level=project,ProjectID=${project.project_id}`, page, page_size: PAGE_SIZE } },
      });
      setRows(data ?? []);
      setTotal(totalOf(response));
      setError("");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoaded(true);
    }
  }, [project.project_id, page]);

  useEffect(() => {
    void load();
  }, [load]);

  async function setDisabled(r: Robot, disable: boolean) {
    setBusyId(r.id);
    setError("");
    try {
      await api.PUT("/api/v2.0/robots/{robot_id}", {
        params: { path: { robot_id: r.id } },
        body: { description: r.description, level: r.level, disable, permissions: r.permissions },
      });
      await load();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusyId(0);
    }
  }

  return (
    <section aria-label="Robot accounts">
      <div className="toolbar">
        <span className="muted">Robot accounts push and pull in {project.name} with their own secret.</span>
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
            <th className="row-actions">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const login = robotLogin(r.name, project.name);
            return (
              <tr key={r.id}>
                <td className="mono">{login}</td>
                <td>
                  <span className={`status ${r.disable ? "disabled" : "enabled"}`}>{r.disable ? "Disabled" : "Enabled"}</span>
                </td>
                <td className="perm-summary">{accessSummary(r)}</td>
                <td>{robotExpiry(r)}</td>
                <td>{r.description}</td>
                <td>{formatTime(r.creation_time)}</td>
                <td className="row-actions">
                  <button type="button" className="small" disabled={busyId === r.id} aria-label={`${r.disable ? "Enable" : "Disable"} ${login}`} onClick={() => void setDisabled(r, !r.disable)}>
                    {busyId === r.id ? "Saving…" : r.disable ? "Enable" : "Disable"}
                  </button>
                  <button type="button" className="small" aria-label={`Refresh secret of ${login}`} onClick={() => setRefreshing(r)}>
                    Refresh secret
                  </button>
                  <button type="button" className="small" aria-label={`Delete ${login}`} onClick={() => setDeleting(r)}>
                    Delete
                  </button>
                </td>
              </tr>
            );
          })}
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                {loaded ? "No robot accounts yet." : "Loading…"}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
      <CreateRobot
        project={{ id: project.project_id, name: project.name }}
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(name, s) => {
          setSecret({ name: robotLogin(name, project.name), secret: s });
          void load();
        }}
      />
      <SecretDialog shown={secret} onClose={() => setSecret(null)} />
      <Confirm
        title="Refresh secret"
        open={!!refreshing}
        confirmLabel="Refresh secret"
        message={refreshing && <>Replace the secret of <strong>{robotLogin(refreshing.name, project.name)}</strong>? Clients using the old one stop working.</>}
        onClose={() => setRefreshing(null)}
        onConfirm={async () => {
          if (!refreshing) return;
          const { data } = await api.PATCH("/api/v2.0/robots/{robot_id}", { params: { path: { robot_id: refreshing.id } }, body: {} });
          if (data?.secret) setSecret({ name: robotLogin(refreshing.name, project.name), secret: data.secret });
        }}
      />
      <Confirm
        title="Delete robot account"
        open={!!deleting}
        message={deleting && <>Delete <strong>{robotLogin(deleting.name, project.name)}</strong>? Clients using it lose access at once.</>}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.DELETE("/api/v2.0/robots/{robot_id}", { params: { path: { robot_id: deleting.id } } });
          await load();
        }}
      />
    </section>
  );
}
