// Garbage collection (system admins): the schedule (None, Hourly, Daily, Weekly or a custom cron) with
// its run options, "Run now" / "Dry run" (a Manual schedule starts a run at once), and the history
// with status, trigger, times, what was deleted or would be (dry run) and each run's log. A run that
// is pending or running is polled every second until it ends.
import { useCallback, useEffect, useState } from "react";
import { api, messageOf, raw, totalOf } from "../../api/client";
import type { GcRun } from "../../api/types";
import { ErrorBanner, Pager, formatBytes, formatTime } from "../../components/ui";
import "./admin.css";

const PAGE_SIZE = 10;
type ScheduleType = "None" | "Hourly" | "Daily" | "Weekly" | "Custom";
const TYPES: ScheduleType[] = ["None", "Hourly", "Daily", "Weekly", "Custom"];
const FINAL = new Set(["Success", "Error", "Stopped"]);

function params(run: GcRun): { delete_untagged?: boolean; dry_run?: boolean; workers?: number } {
  try {
    return JSON.parse(run.job_parameters ?? "{}");
  } catch {
    return {};
  }
}

function duration(run: GcRun): string {
  if (run.duration_ms != null && FINAL.has(run.job_status ?? "")) return run.duration_ms < 1000 ? `${run.duration_ms} ms` : `${(run.duration_ms / 1000).toFixed(1)} s`;
  return "—";
}

function outcome(run: GcRun): string {
  const dry = run.dry_run ?? params(run).dry_run;
  const parts = [`${run.blobs_deleted ?? 0} blobs`, `${run.manifests_deleted ?? 0} manifests`];
  if (run.uploads_deleted) parts.push(`${run.uploads_deleted} uploads`);
  if (run.orphans_deleted) parts.push(`${run.orphans_deleted} orphan files`);
  return `${dry ? "would free" : "freed"} ${formatBytes(run.bytes_freed ?? 0)} (${parts.join(", ")})`;
}

export default function Gc() {
  const [type, setType] = useState<ScheduleType>("None");
  const [cron, setCron] = useState("");
  const [next, setNext] = useState("");
  const [deleteUntagged, setDeleteUntagged] = useState(false);
  const [workers, setWorkers] = useState(1);
  const [scheduleError, setScheduleError] = useState("");
  const [scheduleNotice, setScheduleNotice] = useState("");
  const [busy, setBusy] = useState("");

  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<GcRun[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState("");
  const [log, setLog] = useState<{ id: number; text: string } | null>(null);
  const [logError, setLogError] = useState("");

  const loadSchedule = useCallback(async () => {
    try {
      const { data } = await api.GET("/api/v2.0/system/gc/schedule");
      const t = (data?.schedule?.type ?? "None") as ScheduleType | "Manual";
      setType(t === "Manual" ? "None" : t);
      setCron(data?.schedule?.cron ?? "");
      setNext(data?.schedule?.next_scheduled_time ?? "");
      setDeleteUntagged(!!data?.parameters?.delete_untagged);
      setWorkers(data?.parameters?.workers ?? 1);
    } catch (e) {
      setScheduleError(messageOf(e));
    }
  }, []);

  const loadRuns = useCallback(async () => {
    try {
      const { data, response } = await api.GET("/api/v2.0/system/gc", { params: { query: { page, page_size: PAGE_SIZE } } });
      setRows(data ?? []);
      setTotal(totalOf(response));
      setError("");
    } catch (e) {
      setError(messageOf(e));
    }
  }, [page]);

  useEffect(() => {
    void loadSchedule();
  }, [loadSchedule]);
  useEffect(() => {
    void loadRuns();
  }, [loadRuns]);

  // Poll the runs that are not finished, once a second, until they are.
  const active = rows.filter((r) => r.id != null && !FINAL.has(r.job_status ?? "")).map((r) => r.id as number);
  const activeKey = active.join(",");
  useEffect(() => {
    if (!activeKey) return;
    const ids = activeKey.split(",").map(Number);
    const timer = setInterval(async () => {
      try {
        const fresh = await Promise.all(ids.map((id) => api.GET("/api/v2.0/system/gc/{gc_id}", { params: { path: { gc_id: id } } })));
        const byId = new Map(fresh.map((f) => [f.data?.id, f.data]));
        setRows((old) => old.map((r) => (byId.get(r.id) ? (byId.get(r.id) as GcRun) : r)));
        if (fresh.some((f) => FINAL.has(f.data?.job_status ?? ""))) void loadRuns();
      } catch (e) {
        setError(messageOf(e));
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [activeKey, loadRuns]);

  async function saveSchedule() {
    setBusy("schedule");
    setScheduleError("");
    setScheduleNotice("");
    try {
      await api.PUT("/api/v2.0/system/gc/schedule", {
        body: { schedule: { type, ...(type === "Custom" ? { cron } : {}) }, parameters: { delete_untagged: deleteUntagged, workers, dry_run: false } },
      });
      await loadSchedule();
      setScheduleNotice(type === "None" ? "Schedule removed." : `Schedule saved: ${type}.`);
    } catch (e) {
      setScheduleError(messageOf(e));
    } finally {
      setBusy("");
    }
  }

  async function run(dryRun: boolean) {
    setBusy(dryRun ? "dry" : "run");
    setScheduleError("");
    setScheduleNotice("");
    try {
      const { response } = await api.POST("/api/v2.0/system/gc/schedule", {
        body: { schedule: { type: "Manual" }, parameters: { delete_untagged: deleteUntagged, workers, dry_run: dryRun } },
      });
      const id = Number(response.headers.get("Location")?.split("/").pop());
      setScheduleNotice(`${dryRun ? "Dry run" : "Garbage collection"} ${id ? `#${id} ` : ""}started.`);
      if (page !== 1) setPage(1);
      else await loadRuns();
    } catch (e) {
      setScheduleError(messageOf(e));
    } finally {
      setBusy("");
    }
  }

  async function stop(id: number) {
    try {
      await api.PUT("/api/v2.0/system/gc/{gc_id}", { params: { path: { gc_id: id } } });
      await loadRuns();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  async function showLog(id: number) {
    setLogError("");
    try {
      const res = await raw(`/api/v2.0/system/gc/${id}/log`);
      setLog({ id, text: await res.text() });
    } catch (e) {
      setLog(null);
      setLogError(messageOf(e));
    }
  }

  const running = active.length > 0;
  return (
    <section className="admin-page">
      <h1>Garbage Collection</h1>
      <div className="card">
        <h2>Schedule and options</h2>
        <div className="form-grid">
          <div className="field">
          <label>
            Schedule
            <select value={type} onChange={(e) => setType(e.target.value as ScheduleType)} aria-describedby="next-run-hint">
              {TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
            <span id="next-run-hint" className="hint">
              {next && type !== "None" ? `Next run: ${formatTime(next)}` : "No scheduled runs."}
              {type !== "Custom" && cron && type !== "None" ? ` (cron ${cron})` : ""}
            </span>
          </div>
          {type === "Custom" && (
            <div className="field">
            <label>
              Cron
              <input value={cron} onChange={(e) => setCron(e.target.value)} placeholder="0 0 3 * * *" aria-describedby="cron-hint" />
            </label>
              <span id="cron-hint" className="hint">
                Six fields: seconds minutes hours day-of-month month day-of-week.
              </span>
            </div>
          )}
          <label>
            Workers
            <input type="number" min={1} max={10} value={workers} onChange={(e) => setWorkers(Number(e.target.value))} />
          </label>
        </div>
        <label className="inline">
          <input type="checkbox" checked={deleteUntagged} onChange={(e) => setDeleteUntagged(e.target.checked)} />
          Delete untagged artifacts
        </label>
        <ErrorBanner error={scheduleError} />
        {scheduleNotice && (
          <p className="notice" role="status">
            {scheduleNotice}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={() => void saveSchedule()} disabled={!!busy}>
            {busy === "schedule" ? "Saving…" : "Save schedule"}
          </button>
          <button type="button" onClick={() => void run(true)} disabled={!!busy || running}>
            {busy === "dry" ? "Starting…" : "Dry run"}
          </button>
          <button type="button" className="primary" onClick={() => void run(false)} disabled={!!busy || running}>
            {busy === "run" ? "Starting…" : running ? "Running…" : "Run now"}
          </button>
        </div>
      </div>

      <h2>History</h2>
      <ErrorBanner error={error} />
      <table className="grid" aria-label="Garbage collection history">
        <thead>
          <tr>
            <th>ID</th>
            <th>Trigger</th>
            <th>Options</th>
            <th>Status</th>
            <th>Started</th>
            <th>Updated</th>
            <th>Duration</th>
            <th>Result</th>
            <th>Log</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const p = params(r);
            const fin = FINAL.has(r.job_status ?? "");
            return (
              <tr key={r.id} data-testid={`gc-run-${r.id}`}>
                <td>{r.id}</td>
                <td>{r.job_kind === "SCHEDULE" ? `Schedule (${r.schedule?.type ?? ""})` : "Manual"}</td>
                <td>
                  {(r.dry_run ?? p.dry_run) && <span className="badge">Dry run</span>}
                  {p.delete_untagged && <span className="badge">Untagged</span>}
                  {p.workers != null && <span className="badge">{p.workers} workers</span>}
                </td>
                <td>
                  <span className={`status-${r.job_status}`}>{r.job_status}</span>
                  {!fin && (
                    <>
                      <progress aria-label={`Run ${r.id} in progress`} />
                      <button type="button" className="small" onClick={() => void stop(r.id as number)}>
                        Stop
                      </button>
                    </>
                  )}
                  {!!r.errors && <div className="hint">{r.errors} errors</div>}
                </td>
                <td>{formatTime(r.creation_time)}</td>
                <td>{formatTime(r.update_time)}</td>
                <td>{duration(r)}</td>
                <td>{fin || r.blobs_deleted ? outcome(r) : "—"}</td>
                <td>
                  <button type="button" className="small" onClick={() => void showLog(r.id as number)} aria-label={`Log of run ${r.id}`}>
                    Log
                  </button>
                </td>
              </tr>
            );
          })}
          {rows.length === 0 && (
            <tr>
              <td colSpan={9} className="muted">
                No runs yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
      <ErrorBanner error={logError} />
      {log && (
        <div className="card">
          <div className="toolbar">
            <h2 style={{ margin: 0 }}>Log of run {log.id}</h2>
            <span className="spacer" />
            <button type="button" className="small" onClick={() => void showLog(log.id)}>
              Refresh
            </button>
            <button type="button" className="small" onClick={() => setLog(null)}>
              Close
            </button>
          </div>
          <pre className="log" aria-label={`Log of run ${log.id}`}>
            {log.text || "(empty)"}
          </pre>
        </div>
      )}
    </section>
  );
}
