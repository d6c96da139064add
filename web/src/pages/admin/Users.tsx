// Users (system admins): the local users with server-side search and paging; create a user, grant or
// revoke system admin, reset a password, delete. The password rule is the API's (8-128 characters
// with an upper-case letter, a lower-case letter and a digit): the form only states it, the API's own
// message is shown when it refuses.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, messageOf, totalOf } from "../../api/client";
import type { User } from "../../api/types";
import { Confirm, ErrorBanner, Modal, Pager, formatTime } from "../../components/ui";
import { useSession } from "../../session";
import "./admin.css";

const PAGE_SIZE = 15;
const PASSWORD_RULE = "8 to 128 characters, with at least one upper-case letter, one lower-case letter and one digit.";

function CreateUser({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(): void }) {
  const [f, setF] = useState({ username: "", email: "", realname: "", comment: "", password: "" });
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement>) => setF({ ...f, [k]: e.target.value });
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await api.POST("/api/v2.0/users", { body: f });
      setF({ username: "", email: "", realname: "", comment: "", password: "" });
      onDone();
      onClose();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title="New user" open={open} onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          Username
          <input required value={f.username} onChange={set("username")} autoComplete="off" />
        </label>
        <label>
          Email
          <input type="email" value={f.email} onChange={set("email")} autoComplete="off" />
        </label>
        <label>
          Real name
          <input value={f.realname} onChange={set("realname")} autoComplete="off" />
        </label>
        <label>
          Comment
          <input value={f.comment} onChange={set("comment")} autoComplete="off" />
        </label>
        <div className="field">
        <label>
          Password
          <input type="password" required value={f.password} onChange={set("password")} autoComplete="new-password" aria-describedby="new-user-pw-hint" />
        </label>
          <span id="new-user-pw-hint" className="hint">
            {PASSWORD_RULE}
          </span>
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

function ResetPassword({ user, onClose, onDone }: { user: User | null; onClose(): void; onDone(u: User): void }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!user) return;
    setBusy(true);
    setError("");
    try {
      await api.PUT("/api/v2.0/users/{user_id}/password", { params: { path: { user_id: user.user_id } }, body: { new_password: password } });
      setPassword("");
      onDone(user);
      onClose();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title={`Reset the password of ${user?.username ?? ""}`} open={!!user} onClose={onClose}>
      <form onSubmit={submit}>
        <div className="field">
        <label>
          New password
          <input type="password" required value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-describedby="reset-pw-hint" />
        </label>
          <span id="reset-pw-hint" className="hint">
            {PASSWORD_RULE}
          </span>
        </div>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Reset password
          </button>
        </div>
      </form>
    </Modal>
  );
}

export default function Users() {
  const { user: me } = useSession();
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<User[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [busyId, setBusyId] = useState(0);

  const load = useCallback(async () => {
    try {
      const { data, response } = await api.GET("/api/v2.0/users", {
        params: { query: { page, page_size: PAGE_SIZE, ...(q ? { q: `username=~${q}` } : {}) } },
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

  async function toggleAdmin(u: User) {
    setBusyId(u.user_id);
    setNotice("");
    try {
      await api.PUT("/api/v2.0/users/{user_id}/sysadmin", { params: { path: { user_id: u.user_id } }, body: { sysadmin_flag: !u.sysadmin_flag } });
      setNotice(`${u.username} is ${u.sysadmin_flag ? "no longer" : "now"} a system admin.`);
      await load();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusyId(0);
    }
  }

  return (
    <section className="admin-page">
      <h1>Users</h1>
      <div className="toolbar">
        <input type="search" placeholder="Search users" aria-label="Search users" value={q} onChange={(e) => (setQ(e.target.value), setPage(1))} />
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New user
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
            <th>Username</th>
            <th>System admin</th>
            <th>Email</th>
            <th>Real name</th>
            <th>Created</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((u) => (
            <tr key={u.user_id}>
              <td>{u.username}</td>
              <td>{u.sysadmin_flag ? "Yes" : "No"}</td>
              <td>{u.email}</td>
              <td>{u.realname}</td>
              <td>{formatTime(u.creation_time)}</td>
              <td>
                <div className="row-actions">
                  <button type="button" className="small" disabled={busyId === u.user_id || u.user_id === me?.user_id} onClick={() => void toggleAdmin(u)} aria-label={`${u.sysadmin_flag ? "Revoke admin" : "Set as admin"} ${u.username}`}>
                    {u.sysadmin_flag ? "Revoke admin" : "Set as admin"}
                  </button>
                  <button type="button" className="small" onClick={() => setResetting(u)} aria-label={`Reset password of ${u.username}`}>
                    Reset password
                  </button>
                  <button type="button" className="small" disabled={u.user_id === me?.user_id} onClick={() => setDeleting(u)} aria-label={`Delete ${u.username}`}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No users.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
      <CreateUser open={creating} onClose={() => setCreating(false)} onDone={() => void load()} />
      <ResetPassword user={resetting} onClose={() => setResetting(null)} onDone={(u) => setNotice(`The password of ${u.username} was reset.`)} />
      <Confirm
        title="Delete user"
        open={!!deleting}
        message={`Delete the user ${deleting?.username ?? ""}? Their memberships go with them.`}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.DELETE("/api/v2.0/users/{user_id}", { params: { path: { user_id: deleting.user_id } } });
          setNotice(`${deleting.username} deleted.`);
          if (rows.length === 1 && page > 1) setPage(page - 1);
          else await load();
        }}
      />
    </section>
  );
}
