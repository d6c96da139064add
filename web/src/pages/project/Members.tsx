// Members of a project: users and groups with their roles (server-side search and paging); add a
// user (name suggestions from /users/search) or a group (existing groups from /usergroups/search, or
// an LDAP DN / HTTP / OIDC group created on first use), change a role in place, remove with a
// confirmation. Every refusal (409 already a member, 403, 404 no such user) shows the API's message.
import { useCallback, useEffect, useState } from "react";
import { api, messageOf, totalOf } from "../../api/client";
import type { Member } from "../../api/types";
import type { components } from "../../api/schema";
import { Confirm, ErrorBanner, Modal, Pager } from "../../components/ui";
import type { ProjectTabProps } from "./tab";
import "./project.css";

type RoleId = components["schemas"]["RoleId"];
type MemberReq = components["schemas"]["ProjectMemberReq"];

export const ROLES: [RoleId, string][] = [
  [1, "Project Admin"],
  [4, "Maintainer"],
  [2, "Developer"],
  [3, "Guest"],
  [5, "Limited Guest"],
];
export function roleName(id: number): string {
  return ROLES.find(([r]) => r === id)?.[1] ?? `Role ${id}`;
}

const PAGE_SIZE = 15;

function RoleSelect({ value, onChange, label }: { value: RoleId; onChange(r: RoleId): void; label: string }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(Number(e.target.value) as RoleId)}>
      {ROLES.map(([id, name]) => (
        <option key={id} value={id}>
          {name}
        </option>
      ))}
    </select>
  );
}

// Suggestions while typing: a <datalist> fed by a search endpoint (debounced).
function useSuggestions(term: string, search: (t: string) => Promise<string[]>) {
  const [items, setItems] = useState<string[]>([]);
  useEffect(() => {
    const t = term.trim();
    if (!t) {
      setItems([]);
      return;
    }
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const found = await search(t);
        if (live) setItems(found);
      } catch {
        if (live) setItems([]); // suggestions are a convenience; the add itself reports errors
      }
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [term, search]);
  return items;
}

const searchUsers = async (t: string) => {
  const { data } = await api.GET("/api/v2.0/users/search", { params: { query: { username: t, page_size: 10 } } });
  return (data ?? []).map((u) => u.username);
};

function AddUser({ project, open, onClose, onAdded }: { project: string; open: boolean; onClose(): void; onAdded(): void }) {
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<RoleId>(2);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const suggestions = useSuggestions(username, searchUsers);
  useEffect(() => {
    if (open) (setUsername(""), setRole(2), setError(""));
  }, [open]);
  return (
    <Modal title="Add user member" open={open} onClose={onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError("");
          try {
            await api.POST("/api/v2.0/projects/{project_name_or_id}/members", {
              params: { path: { project_name_or_id: project } },
              body: { role_id: role, member_user: { username: username.trim() } },
            });
            onAdded();
            onClose();
          } catch (err) {
            setError(messageOf(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Username
          <input list="member-user-suggestions" autoComplete="off" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <datalist id="member-user-suggestions">
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <label>
          Role
          <RoleSelect label="Role" value={role} onChange={setRole} />
        </label>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !username.trim()}>
            {busy ? "Adding…" : "Add"}
          </button>
        </div>
      </form>
    </Modal>
  );
}

type Group = { id: number; group_name: string; group_type: number };
const GROUP_TYPES: [1 | 2 | 3, string][] = [
  [1, "LDAP"],
  [2, "HTTP"],
  [3, "OIDC"],
];

function AddGroup({ project, open, onClose, onAdded }: { project: string; open: boolean; onClose(): void; onAdded(): void }) {
  const [name, setName] = useState("");
  const [type, setType] = useState<1 | 2 | 3>(2);
  const [dn, setDn] = useState("");
  const [role, setRole] = useState<RoleId>(3);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [known, setKnown] = useState<Group[]>([]);
  const search = useCallback(async (t: string) => {
    const { data } = await api.GET("/api/v2.0/usergroups/search", { params: { query: { groupname: t, page_size: 10 } } });
    setKnown(data ?? []);
    return (data ?? []).map((g) => g.group_name);
  }, []);
  const suggestions = useSuggestions(name, search);
  useEffect(() => {
    if (open) (setName(""), setDn(""), setType(2), setRole(3), setError(""));
  }, [open]);
  const existing = known.find((g) => g.group_name === name.trim());
  return (
    <Modal title="Add group member" open={open} onClose={onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError("");
          const member_group: MemberReq["member_group"] = existing
            ? { id: existing.id }
            : type === 1
              ? { ldap_group_dn: dn.trim(), group_type: 1, ...(name.trim() ? { group_name: name.trim() } : {}) }
              : { group_name: name.trim(), group_type: type };
          try {
            await api.POST("/api/v2.0/projects/{project_name_or_id}/members", {
              params: { path: { project_name_or_id: project } },
              body: { role_id: role, member_group },
            });
            onAdded();
            onClose();
          } catch (err) {
            setError(messageOf(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Group name
          <input list="member-group-suggestions" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <datalist id="member-group-suggestions">
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        {existing ? (
          <p className="muted">Existing {GROUP_TYPES.find(([t]) => t === existing.group_type)?.[1]} group #{existing.id}.</p>
        ) : (
          <>
            <label>
              Group type
              <select value={type} onChange={(e) => setType(Number(e.target.value) as 1 | 2 | 3)}>
                {GROUP_TYPES.map(([t, n]) => (
                  <option key={t} value={t}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            {type === 1 && (
              <label>
                LDAP group DN
                <input value={dn} onChange={(e) => setDn(e.target.value)} placeholder="cn=devs,ou=groups,dc=example,dc=com" />
              </label>
            )}
          </>
        )}
        <label>
          Role
          <RoleSelect label="Role" value={role} onChange={setRole} />
        </label>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || (!existing && (type === 1 ? !dn.trim() : !name.trim()))}>
            {busy ? "Adding…" : "Add"}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export default function Members({ project }: ProjectTabProps) {
  const pid = String(project.project_id);
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<Member[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [adding, setAdding] = useState<"" | "user" | "group">("");
  const [removing, setRemoving] = useState<Member | null>(null);
  const [busyId, setBusyId] = useState(0);

  const load = useCallback(async () => {
    try {
      const { data, response } = await api.GET("/api/v2.0/projects/{project_name_or_id}/members", {
        params: { path: { project_name_or_id: pid }, query: { page, page_size: PAGE_SIZE, ...(q ? { entityname: q } : {}) } },
      });
      setRows(data ?? []);
      setTotal(totalOf(response));
      setError("");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoaded(true);
    }
  }, [pid, page, q]);

  useEffect(() => {
    void load();
  }, [load]);

  async function changeRole(m: Member, role: RoleId) {
    setBusyId(m.id);
    setError("");
    setNotice("");
    try {
      await api.PUT("/api/v2.0/projects/{project_name_or_id}/members/{mid}", {
        params: { path: { project_name_or_id: pid, mid: m.id } },
        body: { role_id: role },
      });
      setNotice(`${m.entity_name} is now ${roleName(role)}.`);
      await load();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusyId(0);
    }
  }

  return (
    <section aria-label="Members">
      <div className="toolbar">
        <input type="search" placeholder="Search members" aria-label="Search members" value={q} onChange={(e) => (setQ(e.target.value), setPage(1))} />
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setAdding("user")}>
          Add user
        </button>
        <button type="button" onClick={() => setAdding("group")}>
          Add group
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
            <th>Type</th>
            <th>Role</th>
            <th className="row-actions">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr key={m.id}>
              <td>{m.entity_name}</td>
              <td>{m.entity_type === "g" ? "Group" : "User"}</td>
              <td>
                <RoleSelect label={`Role of ${m.entity_name}`} value={m.role_id} onChange={(r) => void changeRole(m, r)} />
                {busyId === m.id && <span className="muted"> Saving…</span>}
              </td>
              <td className="row-actions">
                <button type="button" className="small" aria-label={`Remove ${m.entity_name}`} onClick={() => setRemoving(m)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                {!loaded ? "Loading…" : `No members${q ? " match" : ""}.`}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
      <AddUser project={pid} open={adding === "user"} onClose={() => setAdding("")} onAdded={() => void load()} />
      <AddGroup project={pid} open={adding === "group"} onClose={() => setAdding("")} onAdded={() => void load()} />
      <Confirm
        title="Remove member"
        open={!!removing}
        confirmLabel="Remove"
        message={
          removing && (
            <>
              Remove {removing.entity_type === "g" ? "group" : "user"} <strong>{removing.entity_name}</strong> ({roleName(removing.role_id)}) from{" "}
              {project.name}?
            </>
          )
        }
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (!removing) return;
          await api.DELETE("/api/v2.0/projects/{project_name_or_id}/members/{mid}", {
            params: { path: { project_name_or_id: pid, mid: removing.id } },
          });
          setNotice(`${removing.entity_name} removed.`);
          await load();
        }}
      />
    </section>
  );
}
