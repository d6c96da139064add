// The artifacts of one repository (route param :repo, the name without the project): one page at a
// time from the server (page_size ≤ 100, filter by tag through `q`), so a repository with 10,000
// artifacts costs what one page costs. Short copyable digests, tags with their pull commands, size,
// type, push and pull times; an index expands into its children with their platforms (fetched
// when expanded); deletion after confirmation shows the API's refusal (412 while an index lists it).
import { Fragment, useCallback, useEffect, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { api, messageOf, totalOf } from "../../api/client";
import type { Artifact } from "../../api/types";
import CopyCommand from "../../components/CopyCommand";
import { PAGE_SIZES, pagingOf, pullCommand, repoParam, shortDigest, useDebounced, useNewestRequest } from "../../components/registry";
import { Confirm, ErrorBanner, Pager, formatBytes, formatTime } from "../../components/ui";
import type { ProjectTabProps } from "./tab";
import "./repos.css";

type Platform = { os?: string; architecture?: string; variant?: string };

export function platformText(p: unknown): string {
  const pl = (p ?? {}) as Platform;
  if (!pl.os && !pl.architecture) return "—";
  return [pl.os, pl.architecture, pl.variant].filter(Boolean).join("/");
}

export function typeText(a: Artifact): string {
  return a.references && a.references.length > 0 ? `${a.type} (index)` : a.type;
}

export default function Artifacts({ project, reload }: ProjectTabProps) {
  const { repo = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const { page, pageSize } = pagingOf(params);
  const [tag, setTag] = useState(params.get("tag") ?? "");
  const tagQuery = useDebounced(tag.trim());
  const [rows, setRows] = useState<Artifact[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState("");
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  const [deleting, setDeleting] = useState<Artifact | null>(null);
  const pathParams = { project_name_or_id: String(project.project_id), repository_name: repoParam(repo) };

  const update = (f: (n: URLSearchParams) => void, replace = false) =>
    setParams(
      (old) => {
        const n = new URLSearchParams(old);
        f(n);
        return n;
      },
      { replace },
    );

  useEffect(() => {
    if ((params.get("tag") ?? "") === tagQuery) return;
    update((n) => {
      if (tagQuery) n.set("tag", tagQuery);
      else n.delete("tag");
      n.delete("page");
    }, true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tagQuery]);

  const begin = useNewestRequest();
  const load = useCallback(async () => {
    const isNewest = begin();
    setLoading(true);
    try {
      const { data, response } = await api.GET("/api/v2.0/projects/{project_name_or_id}/repositories/{repository_name}/artifacts", {
        params: {
          path: { project_name_or_id: String(project.project_id), repository_name: repoParam(repo) },
          query: { page, page_size: pageSize, with_tag: true, ...(tagQuery ? { q: `tags=~${tagQuery.replace(/,/g, "")}` } : {}) },
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
  }, [begin, project.project_id, repo, page, pageSize, tagQuery]);

  useEffect(() => {
    void load();
  }, [load]);

  const detailUrl = (digest: string) => `/projects/${project.project_id}/repositories/${encodeURIComponent(repo)}/artifacts/${digest}`;

  return (
    <div>
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={`/projects/${project.project_id}/repositories`}>Repositories</Link>
        <span className="sep">›</span>
        <span aria-current="page">
          {project.name}/{repo}
        </span>
      </nav>
      <h2>
        {project.name}/{repo}
      </h2>
      <div className="toolbar">
        <input type="search" placeholder="Filter by tag" aria-label="Filter by tag" value={tag} onChange={(e) => setTag(e.target.value)} />
        <span className="spacer" />
        <CopyCommand compact text={pullCommand(project.name, repo)} label="Copy pull command for the repository" />
      </div>
      <ErrorBanner error={error} />
      <table className="grid" aria-label="Artifacts">
        <thead>
          <tr>
            <th>Digest</th>
            <th>Tags</th>
            <th>Type</th>
            <th>Size</th>
            <th>Platform</th>
            <th>Pushed</th>
            <th>Pulled</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => {
            const isIndex = !!a.references && a.references.length > 0;
            const open = !!expanded[a.digest];
            return (
              <Fragment key={a.id}>
                <tr>
                  <td className="nowrap">
                    {isIndex && (
                      <button
                        type="button"
                        className="small"
                        aria-expanded={open}
                        aria-label={`${open ? "Hide" : "Show"} the ${a.references!.length} platforms of ${shortDigest(a.digest)}`}
                        onClick={() => setExpanded((x) => ({ ...x, [a.digest]: !open }))}
                      >
                        {open ? "▾" : "▸"}
                      </button>
                    )}{" "}
                    <Link to={detailUrl(a.digest)} className="mono" title={a.digest}>
                      {shortDigest(a.digest)}
                    </Link>{" "}
                    <CopyCommand compact text={pullCommand(project.name, repo, { digest: a.digest })} label={`Copy pull command for ${shortDigest(a.digest)}`} />
                  </td>
                  <td>
                    <div className="tagcell">
                      {(a.tags ?? []).length === 0 && <span className="muted">untagged</span>}
                      {(a.tags ?? []).slice(0, 5).map((t) => (
                        <span key={t.id} className="tag">
                          <span className="badge">{t.name}</span>
                          <CopyCommand compact text={pullCommand(project.name, repo, { tag: t.name })} label={`Copy pull command for tag ${t.name}`} />
                        </span>
                      ))}
                      {(a.tags ?? []).length > 5 && (
                        <Link to={detailUrl(a.digest)} className="muted">
                          +{(a.tags ?? []).length - 5} more
                        </Link>
                      )}
                    </div>
                  </td>
                  <td>
                    {typeText(a)}
                    {(a.accessories?.length ?? 0) > 0 && <span className="badge">{a.accessories!.length} accessories</span>}
                  </td>
                  <td className="nowrap">{formatBytes(a.size)}</td>
                  <td>{isIndex ? `${a.references!.length} platforms` : platformText(a.extra_attrs)}</td>
                  <td className="nowrap">{formatTime(a.push_time)}</td>
                  <td className="nowrap">{formatTime(a.pull_time)}</td>
                  <td>
                    <button type="button" className="small" aria-label={`Delete artifact ${shortDigest(a.digest)}`} onClick={() => setDeleting(a)}>
                      Delete
                    </button>
                  </td>
                </tr>
                {isIndex && open && <IndexChildren parent={a} pathParams={pathParams} projectName={project.name} repo={repo} detailUrl={detailUrl} />}
              </Fragment>
            );
          })}
          {!loading && rows.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                {tagQuery ? "No artifact has a matching tag." : "No artifacts."}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="listfoot">
        <span className="pagesize">
          <label className="inline">
            Page size
            <select value={pageSize} onChange={(e) => update((n) => (n.set("page_size", e.target.value), n.delete("page")))}>
              {[...new Set([...PAGE_SIZES, pageSize])]
                .sort((x, y) => x - y)
                .map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
            </select>
          </label>
        </span>
        <Pager page={page} pageSize={pageSize} total={total} onPage={(p) => update((n) => n.set("page", String(p)))} />
      </div>
      <Confirm
        title="Delete artifact"
        open={deleting !== null}
        message={
          <>
            Delete the artifact <span className="mono">{deleting?.digest}</span>
            {deleting?.tags?.length ? <> and its tags {deleting.tags.map((t) => t.name).join(", ")}</> : null}?
          </>
        }
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await api.DELETE("/api/v2.0/projects/{project_name_or_id}/repositories/{repository_name}/artifacts/{reference}", {
            params: { path: { ...pathParams, reference: deleting!.digest } },
          });
          await load();
          await reload();
        }}
      />
    </div>
  );
}

// The children of an index: platform from the index entry, the rest from the child artifact
// (fetched when the row is expanded; a child that is not stored shows only its digest).
function IndexChildren({
  parent,
  pathParams,
  projectName,
  repo,
  detailUrl,
}: {
  parent: Artifact;
  pathParams: { project_name_or_id: string; repository_name: string };
  projectName: string;
  repo: string;
  detailUrl(d: string): string;
}) {
  const [children, setChildren] = useState<Record<string, Artifact | null>>({});
  const [error, setError] = useState("");
  const refs = parent.references ?? [];
  useEffect(() => {
    let stale = false;
    Promise.all(
      refs.map(async (r) => {
        if (!r.child_id) return [r.child_digest, null] as const;
        const { data } = await api.GET("/api/v2.0/projects/{project_name_or_id}/repositories/{repository_name}/artifacts/{reference}", {
          params: { path: { ...pathParams, reference: r.child_digest }, query: { with_tag: false } },
        });
        return [r.child_digest, data ?? null] as const;
      }),
    )
      .then((e) => !stale && setChildren(Object.fromEntries(e)))
      .catch((e) => !stale && setError(messageOf(e)));
    return () => {
      stale = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [parent.digest]);

  return (
    <>
      {error && (
        <tr className="child">
          <td colSpan={8}>
            <ErrorBanner error={error} />
          </td>
        </tr>
      )}
      {refs.map((r) => {
        const c = children[r.child_digest];
        return (
          <tr key={r.child_digest} className="child" aria-label={`Child ${platformText(r.platform)}`}>
            <td className="nowrap">
              {r.child_id ? (
                <Link to={detailUrl(r.child_digest)} className="mono" title={r.child_digest}>
                  {shortDigest(r.child_digest)}
                </Link>
              ) : (
                <span className="mono" title={r.child_digest}>
                  {shortDigest(r.child_digest)}
                </span>
              )}{" "}
              <CopyCommand compact text={pullCommand(projectName, repo, { digest: r.child_digest })} label={`Copy pull command for ${shortDigest(r.child_digest)}`} />
            </td>
            <td className="muted">{r.child_id ? "" : "not stored"}</td>
            <td>{c?.type ?? ""}</td>
            <td className="nowrap">{c ? formatBytes(c.size) : ""}</td>
            <td>{platformText(r.platform)}</td>
            <td className="nowrap">{c ? formatTime(c.push_time) : ""}</td>
            <td className="nowrap">{c ? formatTime(c.pull_time) : ""}</td>
            <td />
          </tr>
        );
      })}
    </>
  );
}
