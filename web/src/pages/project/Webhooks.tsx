// Webhooks of a project (route webhooks/*):
//   webhooks                                   the policies (name, enabled, target, event types, last
//                                              trigger from /webhook/lasttrigger), create/edit dialog,
//                                              enable/disable, test endpoint, delete (412 while running)
//   webhooks/<policy>                          its executions (status, trigger, event, times), redeliver;
//                                              polls while one is Pending/Running
//   webhooks/<policy>/executions/<execution>   the exact payload sent, the task(s) with their attempts
//                                              and delivery log
// The form offers exactly what the API accepts: target type and payload formats come from
// GET /webhook/events (http: Default/CloudEvents; slack: none), the event types too.
import { useCallback, useEffect, useState } from "react";
import { Link, Route, Routes, useParams } from "react-router-dom";
import { api, messageOf, totalOf } from "../../api/client";
import type { components } from "../../api/schema";
import { Confirm, CopyButton, ErrorBanner, Modal, Pager, formatTime } from "../../components/ui";
import type { ProjectTabProps } from "./tab";
import "./project.css";

type S = components["schemas"];
type Policy = S["WebhookPolicy"];
type PolicyReq = S["WebhookPolicyReq"];
type Execution = S["WebhookExecution"];
type Task = S["WebhookTask"];
type Supported = S["SupportedWebhookEventTypes"];
type LastTrigger = S["WebhookLastTrigger"];

const PAGE_SIZE = 10;
const POLL_MS = 1500;
const inFlight = (s: string) => s === "Pending" || s === "Running";

// Absolute links inside the tab (its nested routes make relative ".." ambiguous).
function useBase(): string {
  return `/projects/${useParams().projectId}/webhooks`;
}

function Status({ value }: { value: string }) {
  return <span className={`status ${value}`}>{value}</span>;
}

// Re-runs `fn` every `ms` while `active`.
function usePoll(fn: () => void, active: boolean, ms = POLL_MS) {
  useEffect(() => {
    if (!active) return;
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  }, [fn, active, ms]);
}

// The request body for a policy as it stands (PUT is a full replacement).
function reqOf(p: Policy, patch: Partial<PolicyReq> = {}): PolicyReq {
  return {
    name: p.name,
    description: p.description ?? "",
    targets: p.targets.map((t) => ({ ...t })),
    event_types: [...p.event_types],
    enabled: p.enabled,
    ...patch,
  };
}

// ---- the create / edit dialog -------------------------------------------------------------------

type Form = {
  name: string;
  description: string;
  type: string;
  address: string;
  auth_header: string;
  skip_cert_verify: boolean;
  payload_format: string;
  signing_secret: string;
  events: string[];
  enabled: boolean;
};

function formOf(p: Policy | null): Form {
  const t = p?.targets[0];
  return {
    name: p?.name ?? "",
    description: p?.description ?? "",
    type: t?.type ?? "http",
    address: t?.address ?? "",
    auth_header: t?.auth_header ?? "",
    skip_cert_verify: t?.skip_cert_verify ?? false,
    payload_format: t?.payload_format || (t?.type === "slack" ? "" : "Default"),
    signing_secret: t?.signing_secret ?? "",
    events: p ? [...p.event_types] : [],
    enabled: p?.enabled ?? true,
  };
}

function PolicyDialog({
  pid,
  supported,
  editing,
  open,
  onClose,
  onSaved,
}: {
  pid: string;
  supported: Supported | null;
  editing: Policy | null;
  open: boolean;
  onClose(): void;
  onSaved(): void;
}) {
  const [f, setF] = useState<Form>(formOf(null));
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) (setF(formOf(editing)), setError(""));
  }, [open, editing]);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF((o) => ({ ...o, [k]: v }));
  const formats = supported?.payload_formats.find((p) => p.notify_type === f.type)?.formats ?? [];
  const http = f.type === "http";

  return (
    <Modal title={editing ? `Edit webhook ${editing.name}` : "New webhook"} open={open} onClose={onClose}>
      <form
        className="wide-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError("");
          const target = {
            type: f.type,
            address: f.address.trim(),
            skip_cert_verify: f.skip_cert_verify,
            ...(http ? { auth_header: f.auth_header, payload_format: f.payload_format || "Default", signing_secret: f.signing_secret } : {}),
          };
          const body: PolicyReq = {
            name: f.name.trim(),
            description: f.description,
            targets: [target, ...(editing ? editing.targets.slice(1) : [])],
            event_types: f.events,
            enabled: f.enabled,
          };
          setBusy(true);
          try {
            if (editing)
              await api.PUT("/api/v2.0/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}", {
                params: { path: { project_name_or_id: pid, webhook_policy_id: editing.id } },
                body,
              });
            else await api.POST("/api/v2.0/projects/{project_name_or_id}/webhook/policies", { params: { path: { project_name_or_id: pid } }, body });
            onSaved();
            onClose();
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
            <input required value={f.name} onChange={(e) => set("name", e.target.value)} />
          </label>
          <label>
            Description
            <input value={f.description} onChange={(e) => set("description", e.target.value)} />
          </label>
        </div>
        <div className="form-row">
          <label>
            Notify type
            <select
              value={f.type}
              onChange={(e) => {
                const type = e.target.value;
                setF((o) => ({ ...o, type, payload_format: type === "http" ? o.payload_format || "Default" : "" }));
              }}
            >
              {(supported?.notify_type ?? ["http", "slack"]).map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label>
            Payload format
            <select value={f.payload_format} disabled={formats.length === 0} onChange={(e) => set("payload_format", e.target.value)}>
              {formats.length === 0 && <option value="">— (not for {f.type})</option>}
              {formats.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label>
          Endpoint URL
          <input type="url" required placeholder="https://ci.example.com/hook" value={f.address} onChange={(e) => set("address", e.target.value)} />
        </label>
        {http && (
          <div className="form-row">
            <label>
              Auth header
              <input placeholder="Bearer …" autoComplete="off" value={f.auth_header} onChange={(e) => set("auth_header", e.target.value)} />
            </label>
            <label>
              Signing secret
              <input autoComplete="off" value={f.signing_secret} onChange={(e) => set("signing_secret", e.target.value)} />
            </label>
          </div>
        )}
        <div className="toolbar">
          <label className="inline">
            <input type="checkbox" checked={f.skip_cert_verify} onChange={(e) => set("skip_cert_verify", e.target.checked)} />
            Skip certificate verification
          </label>
          <label className="inline">
            <input type="checkbox" checked={f.enabled} onChange={(e) => set("enabled", e.target.checked)} />
            Enabled
          </label>
        </div>
        <fieldset className="events">
          <legend>Event types</legend>
          <div className="acts">
            {(supported?.event_type ?? []).map((ev) => (
              <label className="inline" key={ev}>
                <input
                  type="checkbox"
                  checked={f.events.includes(ev)}
                  onChange={(e) => set("events", e.target.checked ? [...f.events, ev] : f.events.filter((x) => x !== ev))}
                />
                {ev}
              </label>
            ))}
          </div>
        </fieldset>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : editing ? "Save" : "Create"}
          </button>
        </div>
      </form>
    </Modal>
  );
}

// ---- the policy list ----------------------------------------------------------------------------

function Policies({ pid, projectName }: { pid: string; projectName: string }) {
  const base = useBase();
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<Policy[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [total, setTotal] = useState(0);
  const [last, setLast] = useState<LastTrigger[]>([]);
  const [supported, setSupported] = useState<Supported | null>(null);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [dialog, setDialog] = useState<{ editing: Policy | null } | null>(null);
  const [deleting, setDeleting] = useState<Policy | null>(null);
  const [busy, setBusy] = useState<{ id: number; what: string } | null>(null);

  const load = useCallback(async () => {
    try {
      const path = { project_name_or_id: pid };
      const [{ data, response }, lt] = await Promise.all([
        api.GET("/api/v2.0/projects/{project_name_or_id}/webhook/policies", { params: { path, query: { page, page_size: PAGE_SIZE } } }),
        api.GET("/api/v2.0/projects/{project_name_or_id}/webhook/lasttrigger", { params: { path } }),
      ]);
      setRows(data ?? []);
      setTotal(totalOf(response));
      setLast(lt.data ?? []);
      setError("");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoaded(true);
    }
  }, [pid, page]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    (async () => {
      try {
        const { data } = await api.GET("/api/v2.0/projects/{project_name_or_id}/webhook/events", { params: { path: { project_name_or_id: pid } } });
        setSupported(data ?? null);
      } catch (e) {
        setError(messageOf(e));
      }
    })();
  }, [pid]);

  const lastOf = (p: Policy) => {
    const times = last.filter((l) => l.policy_name === p.name && l.last_trigger_time).map((l) => l.last_trigger_time as string);
    return times.sort().at(-1);
  };

  async function act(p: Policy, what: string, fn: () => Promise<void>) {
    setBusy({ id: p.id, what });
    setError("");
    setNotice("");
    try {
      await fn();
    } catch (e) {
      setError(`${p.name}: ${messageOf(e)}`);
    } finally {
      setBusy(null);
    }
  }

  const policyPath = (p: Policy) => ({ params: { path: { project_name_or_id: pid, webhook_policy_id: p.id } } });

  return (
    <section aria-label="Webhooks">
      <div className="toolbar">
        <span className="muted">Deliver {projectName}'s events to HTTP endpoints or Slack.</span>
        <span className="spacer" />
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
        <button type="button" className="primary" onClick={() => setDialog({ editing: null })} disabled={!supported}>
          New webhook
        </button>
      </div>
      <ErrorBanner error={error} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <table className="grid">
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Target</th>
            <th>Event types</th>
            <th>Last trigger</th>
            <th className="row-actions">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => {
            const t = p.targets[0];
            const b = busy?.id === p.id ? busy.what : "";
            return (
              <tr key={p.id}>
                <td>
                  <Link to={`${base}/${p.id}`}>{p.name}</Link>
                  {p.description && <div className="muted">{p.description}</div>}
                </td>
                <td>
                  <span className={`status ${p.enabled ? "enabled" : "disabled"}`}>{p.enabled ? "Enabled" : "Disabled"}</span>
                </td>
                <td>
                  {t && (
                    <>
                      <div className="mono">{t.address}</div>
                      <span className="muted">
                        {t.type}
                        {t.payload_format ? ` · ${t.payload_format}` : ""}
                        {t.skip_cert_verify ? " · no cert check" : ""}
                      </span>
                    </>
                  )}
                </td>
                <td>
                  {p.event_types.map((e) => (
                    <span className="badge" key={e}>
                      {e}
                    </span>
                  ))}
                </td>
                <td>{formatTime(lastOf(p))}</td>
                <td className="row-actions">
                  <button type="button" className="small" aria-label={`Edit ${p.name}`} onClick={() => setDialog({ editing: p })} disabled={!supported}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="small"
                    aria-label={`${p.enabled ? "Disable" : "Enable"} ${p.name}`}
                    disabled={!!b}
                    onClick={() =>
                      void act(p, "toggle", async () => {
                        await api.PUT("/api/v2.0/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}", { ...policyPath(p), body: reqOf(p, { enabled: !p.enabled }) });
                        await load();
                      })
                    }
                  >
                    {b === "toggle" ? "Saving…" : p.enabled ? "Disable" : "Enable"}
                  </button>
                  <button
                    type="button"
                    className="small"
                    aria-label={`Test endpoint of ${p.name}`}
                    disabled={!!b}
                    onClick={() =>
                      void act(p, "test", async () => {
                        await api.POST("/api/v2.0/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}/test", policyPath(p));
                        setNotice(`${p.name}: the test event was delivered; every target answered 2xx.`);
                      })
                    }
                  >
                    {b === "test" ? "Testing…" : "Test endpoint"}
                  </button>
                  <button type="button" className="small" aria-label={`Delete ${p.name}`} onClick={() => setDeleting(p)}>
                    Delete
                  </button>
                </td>
              </tr>
            );
          })}
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                {loaded ? "No webhooks yet." : "Loading…"}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
      <PolicyDialog pid={pid} supported={supported} editing={dialog?.editing ?? null} open={!!dialog} onClose={() => setDialog(null)} onSaved={() => void load()} />
      <Confirm
        title="Delete webhook"
        open={!!deleting}
        message={deleting && <>Delete webhook <strong>{deleting.name}</strong> and its delivery history?</>}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.DELETE("/api/v2.0/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}", policyPath(deleting));
          await load();
        }}
      />
    </section>
  );
}

// ---- executions of one policy -------------------------------------------------------------------

function usePolicy(pid: string, policyId: number) {
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    (async () => {
      try {
        const { data } = await api.GET("/api/v2.0/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}", {
          params: { path: { project_name_or_id: pid, webhook_policy_id: policyId } },
        });
        setPolicy(data ?? null);
      } catch (e) {
        setError(messageOf(e));
      }
    })();
  }, [pid, policyId]);
  return { policy, error };
}

async function redeliver(pid: string, policyId: number, executionId: number): Promise<string> {
  const { response } = await api.POST("/api/v2.0/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}/executions/{execution_id}/redeliver", {
    params: { path: { project_name_or_id: pid, webhook_policy_id: policyId, execution_id: executionId } },
  });
  const id = response.headers.get("Location")?.split("/").pop();
  return id ? `Redelivery queued as execution #${id}.` : "Redelivery queued.";
}

function Executions({ pid }: { pid: string }) {
  const policyId = Number(useParams().policyId);
  const base = useBase();
  const { policy, error: policyError } = usePolicy(pid, policyId);
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<Execution[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [busyId, setBusyId] = useState(0);

  const load = useCallback(async () => {
    try {
      const { data, response } = await api.GET("/api/v2.0/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}/executions", {
        params: { path: { project_name_or_id: pid, webhook_policy_id: policyId }, query: { page, page_size: PAGE_SIZE } },
      });
      setRows(data ?? []);
      setTotal(totalOf(response));
      setError("");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoaded(true);
    }
  }, [pid, policyId, page]);

  useEffect(() => {
    void load();
  }, [load]);
  const polling = rows.some((r) => inFlight(r.status));
  usePoll(load, polling);

  return (
    <section aria-label="Webhook executions">
      <p className="crumbs">
        <Link to={base}>Webhooks</Link> › {policy?.name ?? `#${policyId}`}
      </p>
      <ErrorBanner error={policyError || error} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="toolbar">
        <h2 style={{ margin: 0 }}>Executions</h2>
        {polling && <span className="muted">Updating…</span>}
        <span className="spacer" />
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <table className="grid">
        <thead>
          <tr>
            <th>ID</th>
            <th>Status</th>
            <th>Trigger</th>
            <th>Event type</th>
            <th>Started</th>
            <th>Ended</th>
            <th className="row-actions">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((x) => (
            <tr key={x.id}>
              <td>
                <Link to={`${base}/${policyId}/executions/${x.id}`} aria-label={`Execution ${x.id}`}>
                  #{x.id}
                </Link>
              </td>
              <td>
                <Status value={x.status} />
                {x.status_message && <div className="muted">{x.status_message}</div>}
              </td>
              <td>{x.trigger}</td>
              <td>{x.extra_attrs.event_type}</td>
              <td>{formatTime(x.start_time)}</td>
              <td>{formatTime(x.end_time)}</td>
              <td className="row-actions">
                <button
                  type="button"
                  className="small"
                  aria-label={`Redeliver execution ${x.id}`}
                  disabled={busyId === x.id}
                  onClick={async () => {
                    setBusyId(x.id);
                    setError("");
                    setNotice("");
                    try {
                      setNotice(await redeliver(pid, policyId, x.id));
                      await load();
                    } catch (e) {
                      setError(messageOf(e));
                    } finally {
                      setBusyId(0);
                    }
                  }}
                >
                  {busyId === x.id ? "Redelivering…" : "Redeliver"}
                </button>
              </td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                {loaded ? "No deliveries yet." : "Loading…"}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
    </section>
  );
}

// ---- one execution: payload, tasks, logs --------------------------------------------------------

function TaskLog({ pid, policyId, executionId, task }: { pid: string; policyId: number; executionId: number; task: Task }) {
  const [log, setLog] = useState<string | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    (async () => {
      try {
        const { data } = await api.GET("/api/v2.0/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}/executions/{execution_id}/tasks/{task_id}/log", {
          params: { path: { project_name_or_id: pid, webhook_policy_id: policyId, execution_id: executionId, task_id: task.id } },
          parseAs: "text",
        });
        setLog(data ?? "");
        setError("");
      } catch (e) {
        setError(messageOf(e));
      }
    })();
    // the log grows with each attempt: reload when the task changes
  }, [pid, policyId, executionId, task.id, task.status, task.run_count]);
  return (
    <>
      <ErrorBanner error={error} />
      {log === null ? (
        <p className="muted">Loading log…</p>
      ) : (
        <pre className="payload wrap" aria-label={`Log of task ${task.id}`}>
          {log || "(empty)"}
        </pre>
      )}
    </>
  );
}

function ExecutionDetail({ pid }: { pid: string }) {
  const params = useParams();
  const policyId = Number(params.policyId);
  const executionId = Number(params.executionId);
  const base = useBase();
  const { policy } = usePolicy(pid, policyId);
  const [execution, setExecution] = useState<Execution | null>(null);
  const [tasks, setTasks] = useState<Task[]>([]);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const path = { project_name_or_id: pid, webhook_policy_id: policyId, execution_id: executionId };
      const { data: t } = await api.GET("/api/v2.0/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}/executions/{execution_id}/tasks", {
        params: { path, query: { page: 1, page_size: 100 } },
      });
      setTasks(t ?? []);
      // There is no single-execution GET: find it in the policy's pages (the newest 50 are kept).
      for (let page = 1; page <= 5; page++) {
        const { data, response } = await api.GET("/api/v2.0/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}/executions", {
          params: { path: { project_name_or_id: pid, webhook_policy_id: policyId }, query: { page, page_size: 100 } },
        });
        const hit = (data ?? []).find((x) => x.id === executionId);
        if (hit) {
          setExecution(hit);
          break;
        }
        if (page * 100 >= totalOf(response)) break;
      }
      setError("");
    } catch (e) {
      setError(messageOf(e));
    }
  }, [pid, policyId, executionId]);

  useEffect(() => {
    void load();
  }, [load]);
  usePoll(load, (!!execution && inFlight(execution.status)) || tasks.some((t) => inFlight(t.status)));

  return (
    <section aria-label="Webhook execution">
      <p className="crumbs">
        <Link to={base}>Webhooks</Link> › <Link to={`${base}/${policyId}`}>{policy?.name ?? `#${policyId}`}</Link> › Execution #{executionId}
      </p>
      <ErrorBanner error={error} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {execution && (
        <>
          <div className="toolbar">
            <h2 style={{ margin: 0 }}>Execution #{execution.id}</h2>
            <Status value={execution.status} />
            <span className="spacer" />
            <button
              type="button"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                setError("");
                try {
                  setNotice(await redeliver(pid, policyId, execution.id));
                } catch (e) {
                  setError(messageOf(e));
                } finally {
                  setBusy(false);
                }
              }}
            >
              {busy ? "Redelivering…" : "Redeliver"}
            </button>
          </div>
          <dl className="kv">
            <dt>Event type</dt>
            <dd>{execution.extra_attrs.event_type}</dd>
            <dt>Trigger</dt>
            <dd>{execution.trigger}</dd>
            <dt>Target kind</dt>
            <dd>{execution.vendor_type}</dd>
            <dt>Started</dt>
            <dd>{formatTime(execution.start_time)}</dd>
            <dt>Ended</dt>
            <dd>{formatTime(execution.end_time)}</dd>
            {execution.status_message && (
              <>
                <dt>Message</dt>
                <dd>{execution.status_message}</dd>
              </>
            )}
          </dl>
          <div className="toolbar" style={{ marginTop: "1.25rem" }}>
            <h2 style={{ margin: 0 }}>Payload sent</h2>
            <span className="muted">exactly as delivered</span>
            <span className="spacer" />
            <CopyButton text={execution.extra_attrs.payload} label="Copy payload" />
          </div>
          <pre className="payload wrap" aria-label="Payload">
            {execution.extra_attrs.payload}
          </pre>
        </>
      )}
      <h2>Tasks</h2>
      <table className="grid">
        <thead>
          <tr>
            <th>Task</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Started</th>
            <th>Ended</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <tr key={t.id}>
              <td>
                #{t.id}
                {t.extra_attrs.delivery_id && <div className="muted mono">{t.extra_attrs.delivery_id}</div>}
                {t.extra_attrs.redelivery_of && <div className="muted">redelivery of #{t.extra_attrs.redelivery_of}</div>}
              </td>
              <td>
                <Status value={t.status} />
                {t.status_message && <div className="muted">{t.status_message}</div>}
              </td>
              <td>
                {t.extra_attrs.attempts.map((a) => (
                  <div key={a.attempt}>
                    {a.attempt}: {a.status_code ?? "no HTTP answer"} in {a.duration_ms} ms{a.error ? ` — ${a.error}` : ""}
                  </div>
                ))}
                {t.extra_attrs.attempts.length === 0 && <span className="muted">none yet</span>}
              </td>
              <td>{formatTime(t.start_time)}</td>
              <td>{formatTime(t.end_time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {tasks.map((t) => (
        <div key={t.id}>
          <h2>Log of task #{t.id}</h2>
          <TaskLog pid={pid} policyId={policyId} executionId={executionId} task={t} />
        </div>
      ))}
    </section>
  );
}

export default function Webhooks({ project }: ProjectTabProps) {
  const pid = String(project.project_id);
  return (
    <Routes>
      <Route index element={<Policies pid={pid} projectName={project.name} />} />
      <Route path=":policyId" element={<Executions pid={pid} />} />
      <Route path=":policyId/executions/:executionId" element={<ExecutionDetail pid={pid} />} />
    </Routes>
  );
}
