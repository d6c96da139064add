// Dashboard (every signed-in user): the counts from /statistics, storage per project from the
// quotas (used against the hard limit) and webhook delivery outcomes per project. Everything is what
// the API lets the caller see: system admins get every quota (the 10 largest), others the quotas of
// the first 10 of their projects by name; webhook outcomes come from the first 10 projects by name
// where the caller may read webhook policies (project admins, maintainers, system admins). The
// number of requests is bounded and the captions say so. Each chart has a table with the same
// numbers as its text alternative.
import { useEffect, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api, messageOf, totalOf } from "../../api/client";
import type { Project } from "../../api/types";
import type { components } from "../../api/schema";
import { ErrorBanner, formatBytes } from "../../components/ui";
import { useSession } from "../../session";
import "./admin.css";

type Statistic = components["schemas"]["Statistic"];
type StorageRow = { name: string; used: number; free: number; hard: number };
type HookRow = { name: string; Success: number; Error: number; Other: number; total: number; policies: number };

const MAX_PROJECTS = 10;
const MAX_POLICIES = 5;
const MAX_EXECUTIONS = 50;
// Axis labels: long project names are shortened (the table has them in full) and slanted.
const shortName = (n: string) => (n.length > 16 ? `${n.slice(0, 15)}…` : n);
const TICK = { fontSize: 12 };

const COLORS = { used: "#0b63c5", free: "#c9d8ee", ok: "#2e7d32", err: "#c62828", other: "#ef6c00" };

// Project roles allowed to read webhook policies: project admin (1) and maintainer (4).
function mayReadWebhooks(p: Project, admin: boolean): boolean {
  if (admin) return true;
  const roles = p.current_user_role_ids?.length ? p.current_user_role_ids : [p.current_user_role_id];
  return roles.some((r) => r === 1 || r === 4);
}

async function loadStorage(admin: boolean, projects: Project[]): Promise<StorageRow[]> {
  const row = (q: components["schemas"]["Quota"]): StorageRow => ({
    name: q.ref.name,
    used: q.used.storage,
    hard: q.hard.storage,
    free: q.hard.storage > 0 ? Math.max(0, q.hard.storage - q.used.storage) : 0,
  });
  if (admin) {
    const { data } = await api.GET("/api/v2.0/quotas", {
      params: { query: { reference: "project", sort: "-used.storage", page: 1, page_size: MAX_PROJECTS } },
    });
    return (data ?? []).map(row).sort((a, b) => a.name.localeCompare(b.name));
  }
  const member = projects.filter((p) => p.current_user_role_id > 0);
  const lists = await Promise.all(
    member.map((p) => api.GET("/api/v2.0/quotas", { params: { query: { reference: "project", reference_id: p.project_id } } })),
  );
  return lists.flatMap((r) => (r.data ?? []).map(row));
}

async function loadWebhooks(projects: Project[]): Promise<HookRow[]> {
  return Promise.all(
    projects.map(async (p) => {
      const out: HookRow = { name: p.name, Success: 0, Error: 0, Other: 0, total: 0, policies: 0 };
      const { data: policies, response } = await api.GET("/api/v2.0/projects/{project_name_or_id}/webhook/policies", {
        params: { path: { project_name_or_id: String(p.project_id) }, query: { page: 1, page_size: MAX_POLICIES } },
      });
      out.policies = totalOf(response);
      const execs = await Promise.all(
        (policies ?? []).map((pol) =>
          api.GET("/api/v2.0/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}/executions", {
            params: {
              path: { project_name_or_id: String(p.project_id), webhook_policy_id: pol.id },
              query: { page: 1, page_size: MAX_EXECUTIONS },
            },
          }),
        ),
      );
      for (const e of execs.flatMap((r) => r.data ?? [])) {
        out.total++;
        if (e.status === "Success") out.Success++;
        else if (e.status === "Error") out.Error++;
        else out.Other++;
      }
      return out;
    }),
  );
}

function Stat({ label, value, detail }: { label: string; value: string | number; detail?: string }) {
  return (
    <dl className="stat">
      <dt>{label}</dt>
      <dd>
        {value}
        {detail && <small>{detail}</small>}
      </dd>
    </dl>
  );
}

export default function Dashboard() {
  const { user } = useSession();
  const admin = !!user?.sysadmin_flag;
  const [stats, setStats] = useState<Statistic | null>(null);
  const [storage, setStorage] = useState<StorageRow[] | null>(null);
  const [hooks, setHooks] = useState<HookRow[] | null>(null);
  const [hookSkipped, setHookSkipped] = useState(0);
  const [error, setError] = useState("");
  const [storageError, setStorageError] = useState("");
  const [hookError, setHookError] = useState("");

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const { data } = await api.GET("/api/v2.0/statistics");
        if (live) setStats(data ?? null);
      } catch (e) {
        if (live) setError(messageOf(e));
      }
      let projects: Project[] = [];
      try {
        const { data } = await api.GET("/api/v2.0/projects", { params: { query: { page: 1, page_size: MAX_PROJECTS } } });
        projects = (data ?? []).slice().sort((a, b) => a.name.localeCompare(b.name));
      } catch (e) {
        if (live) setError(messageOf(e));
      }
      const readable = projects.filter((p) => mayReadWebhooks(p, admin));
      if (live) setHookSkipped(projects.length - readable.length);
      await Promise.all([
        loadStorage(admin, projects).then(
          (rows) => live && setStorage(rows),
          (e) => live && (setStorage([]), setStorageError(messageOf(e))),
        ),
        loadWebhooks(readable).then(
          (rows) => live && setHooks(rows),
          (e) => live && (setHooks([]), setHookError(messageOf(e))),
        ),
      ]);
    })();
    return () => {
      live = false;
    };
  }, [admin]);

  const hookRows = (hooks ?? []).filter((h) => h.policies > 0);
  return (
    <section className="admin-page">
      <h1>Dashboard</h1>
      <ErrorBanner error={error} />
      {stats && (
        <div className="stats" aria-label="Statistics">
          <Stat label="Projects" value={stats.total_project_count} detail={`${stats.public_project_count} public, ${stats.private_project_count} private`} />
          <Stat label="Repositories" value={stats.total_repo_count} detail={`${stats.public_repo_count} public, ${stats.private_repo_count} private`} />
          {stats.total_storage_consumption != null && <Stat label="Storage used" value={formatBytes(stats.total_storage_consumption)} />}
        </div>
      )}
      <div className="charts">
        <div className="card chart">
          <h2 id="storage-chart">Storage per project</h2>
          <ErrorBanner error={storageError} />
          {storage == null ? (
            <p className="muted">Loading…</p>
          ) : storage.length === 0 ? (
            <p className="muted">No project quotas to show.</p>
          ) : (
            <figure aria-labelledby="storage-chart">
              <div role="img" aria-label={`Bar chart of storage used per project: ${storage.map((s) => `${s.name} ${formatBytes(s.used)}${s.hard > 0 ? ` of ${formatBytes(s.hard)}` : ""}`).join("; ")}`} data-testid="storage-chart">
                <ResponsiveContainer width="100%" height={300}>
                  <BarChart data={storage} margin={{ top: 8, right: 8, left: 8, bottom: 8 }}>
                    <CartesianGrid strokeDasharray="3 3" vertical={false} />
                    <XAxis dataKey="name" interval={0} tick={TICK} tickFormatter={shortName} angle={-30} textAnchor="end" height={80} />
                    <YAxis tickFormatter={(v: number) => formatBytes(v)} allowDecimals={false} width={72} tick={{ fontSize: 12 }} />
                    <Tooltip formatter={(v) => formatBytes(Number(v))} />
                    <Legend />
                    <Bar dataKey="used" name="Used" stackId="s" fill={COLORS.used} isAnimationActive={false} minPointSize={2} />
                    <Bar dataKey="free" name="Left under the limit" stackId="s" fill={COLORS.free} isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
              </div>
              <figcaption>
                {admin ? `The ${MAX_PROJECTS} projects using the most storage` : `Your first ${MAX_PROJECTS} projects by name`}; a bar's full
                height is the project's hard limit (no light part: unlimited).
              </figcaption>
              <details>
                <summary>Storage as a table</summary>
                <table className="grid">
                  <thead>
                    <tr>
                      <th>Project</th>
                      <th>Used</th>
                      <th>Limit</th>
                    </tr>
                  </thead>
                  <tbody>
                    {storage.map((s) => (
                      <tr key={s.name}>
                        <td>{s.name}</td>
                        <td>{formatBytes(s.used)}</td>
                        <td>{s.hard < 0 ? "Unlimited" : formatBytes(s.hard)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            </figure>
          )}
        </div>
        <div className="card chart">
          <h2 id="webhook-chart">Webhook deliveries</h2>
          <ErrorBanner error={hookError} />
          {hooks == null ? (
            <p className="muted">Loading…</p>
          ) : (
            <figure aria-labelledby="webhook-chart">
              {hookRows.length === 0 ? (
                <p className="muted">No webhook policies in these projects.</p>
              ) : hookRows.every((h) => h.total === 0) ? (
                <p className="muted">No deliveries yet ({hookRows.reduce((n, h) => n + h.policies, 0)} policies).</p>
              ) : (
                <div role="img" aria-label={`Stacked bar chart of webhook deliveries per project: ${hookRows.map((h) => `${h.name} ${h.Success} succeeded, ${h.Error} failed, ${h.Other} other`).join("; ")}`} data-testid="webhook-chart">
                  <ResponsiveContainer width="100%" height={300}>
                    <BarChart data={hookRows} margin={{ top: 8, right: 8, left: 0, bottom: 8 }}>
                      <CartesianGrid strokeDasharray="3 3" vertical={false} />
                      <XAxis dataKey="name" interval={0} tick={TICK} tickFormatter={shortName} angle={-30} textAnchor="end" height={80} />
                      <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
                      <Tooltip />
                      <Legend />
                      <Bar dataKey="Success" stackId="w" fill={COLORS.ok} isAnimationActive={false} />
                      <Bar dataKey="Error" stackId="w" fill={COLORS.err} isAnimationActive={false} />
                      <Bar dataKey="Other" name="Pending, running or stopped" stackId="w" fill={COLORS.other} isAnimationActive={false} />
                    </BarChart>
                  </ResponsiveContainer>
                </div>
              )}
              <figcaption>
                Deliveries in the first {MAX_PROJECTS} projects by name
                {hookSkipped > 0 ? ` (${hookSkipped} skipped: you may not read their webhooks)` : ""}, up to {MAX_POLICIES} policies each
                and the newest {MAX_EXECUTIONS} deliveries per policy; only projects with a policy are shown.
              </figcaption>
              {hookRows.length > 0 && (
                <details>
                  <summary>Deliveries as a table</summary>
                  <table className="grid">
                    <thead>
                      <tr>
                        <th>Project</th>
                        <th>Success</th>
                        <th>Error</th>
                        <th>Other</th>
                        <th>Success rate</th>
                      </tr>
                    </thead>
                    <tbody>
                      {hookRows.map((h) => (
                        <tr key={h.name}>
                          <td>{h.name}</td>
                          <td>{h.Success}</td>
                          <td>{h.Error}</td>
                          <td>{h.Other}</td>
                          <td>{h.total ? `${Math.round((100 * h.Success) / h.total)} %` : "—"}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </details>
              )}
            </figure>
          )}
        </div>
      </div>
    </section>
  );
}
