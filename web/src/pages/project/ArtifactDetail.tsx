// One artifact (route params :repo and :reference, a digest or a tag): manifest summary (media
// types, digest, size, os/arch and author from the config when it is an image), pull commands by
// digest and per tag, its tags (paged from the server; add one in a dialog, where a taken name shows
// the API's 409 message; delete one after confirmation), labels, index children, annotations and
// the build history when the API offers it.
import { useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, messageOf, totalOf } from "../../api/client";
import type { Artifact, Tag } from "../../api/types";
import type { components } from "../../api/schema";
import CopyCommand from "../../components/CopyCommand";
import { pullCommand, repoParam, repoUrl, shortDigest } from "../../components/registry";
import { Confirm, CopyButton, ErrorBanner, Modal, Pager, formatBytes, formatTime } from "../../components/ui";
import { platformText, typeText } from "./Artifacts";
import type { ProjectTabProps } from "./tab";
import "./repos.css";

type History = components["schemas"]["BuildHistoryEntry"];
const TAG_PAGE = 10;

export default function ArtifactDetail({ project }: ProjectTabProps) {
  const { repo = "", reference = "" } = useParams();
  const [a, setA] = useState<Artifact | null>(null);
  const [error, setError] = useState("");
  const [tags, setTags] = useState<Tag[]>([]);
  const [tagTotal, setTagTotal] = useState(0);
  const [tagPage, setTagPage] = useState(1);
  const [tagError, setTagError] = useState("");
  const [history, setHistory] = useState<History[] | null>(null);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const pathParams = { project_name_or_id: String(project.project_id), repository_name: repoParam(repo), reference };

  const loadArtifact = useCallback(async () => {
    try {
      const { data } = await api.GET("/api/v2.0/projects/{project_name_or_id}/repositories/{repository_name}/artifacts/{reference}", {
        params: { path: { project_name_or_id: String(project.project_id), repository_name: repoParam(repo), reference }, query: { with_tag: false, with_label: true } },
      });
      setA(data ?? null);
      setError("");
    } catch (e) {
      setError(messageOf(e));
    }
  }, [project.project_id, repo, reference]);

  // Tags by the artifact's digest, so that removing the tag the URL names keeps the page working.
  const digest = a?.digest ?? "";
  const loadTags = useCallback(async () => {
    if (!digest) return;
    try {
      const { data, response } = await api.GET("/api/v2.0/projects/{project_name_or_id}/repositories/{repository_name}/artifacts/{reference}/tags", {
        params: {
          path: { project_name_or_id: String(project.project_id), repository_name: repoParam(repo), reference: digest },
          query: { page: tagPage, page_size: TAG_PAGE, sort: "name" },
        },
      });
      setTags(data ?? []);
      setTagTotal(totalOf(response));
      setTagError("");
    } catch (e) {
      setTagError(messageOf(e));
    }
  }, [project.project_id, repo, digest, tagPage]);

  useEffect(() => {
    void loadArtifact();
  }, [loadArtifact]);
  useEffect(() => {
    void loadTags();
  }, [loadTags]);

  const hasHistory = !!a?.addition_links?.build_history;
  useEffect(() => {
    if (!hasHistory || !digest) return setHistory(null);
    let stale = false;
    api
      .GET("/api/v2.0/projects/{project_name_or_id}/repositories/{repository_name}/artifacts/{reference}/additions/build_history", {
        params: { path: { project_name_or_id: String(project.project_id), repository_name: repoParam(repo), reference: digest } },
      })
      .then(({ data }) => !stale && setHistory(data ?? []))
      .catch(() => !stale && setHistory(null));
    return () => {
      stale = true;
    };
  }, [hasHistory, digest, project.project_id, repo]);

  const crumbs = (
    <nav className="crumbs" aria-label="Breadcrumb">
      <Link to={`/projects/${project.project_id}/repositories`}>Repositories</Link>
      <span className="sep">›</span>
      <Link to={repoUrl(project.project_id, repo)}>
        {project.name}/{repo}
      </Link>
      <span className="sep">›</span>
      <span aria-current="page" className="mono">
        {reference.includes(":") ? shortDigest(reference) : reference}
      </span>
    </nav>
  );
  if (error)
    return (
      <div>
        {crumbs}
        <ErrorBanner error={error} />
      </div>
    );
  if (!a)
    return (
      <div>
        {crumbs}
        <p className="muted">Loading…</p>
      </div>
    );

  const ex = a.extra_attrs ?? {};
  const labels = a.labels ?? [];
  const annotations = Object.entries(a.annotations ?? {});
  return (
    <div>
      {crumbs}
      <h2>
        {project.name}/{repo}@<span className="mono">{shortDigest(a.digest)}</span>
      </h2>

      <div className="card">
        <dl className="facts" aria-label="Manifest">
          <dt>Digest</dt>
          <dd>
            <span className="mono">{a.digest}</span> <CopyButton text={a.digest} label="Copy digest" />
          </dd>
          <dt>Type</dt>
          <dd>{typeText(a)}</dd>
          <dt>Manifest media type</dt>
          <dd className="mono">{a.manifest_media_type}</dd>
          <dt>Config media type</dt>
          <dd className="mono">{a.media_type}</dd>
          {a.artifact_type && a.artifact_type !== a.media_type && (
            <>
              <dt>Artifact type</dt>
              <dd className="mono">{a.artifact_type}</dd>
            </>
          )}
          <dt>Size</dt>
          <dd>{formatBytes(a.size)}</dd>
          {(ex.os || ex.architecture) && (
            <>
              <dt>Platform</dt>
              <dd data-testid="platform">{platformText(ex)}</dd>
            </>
          )}
          {ex.author && (
            <>
              <dt>Author</dt>
              <dd>{ex.author}</dd>
            </>
          )}
          {ex.created && (
            <>
              <dt>Created</dt>
              <dd>{formatTime(ex.created)}</dd>
            </>
          )}
          <dt>Pushed</dt>
          <dd>{formatTime(a.push_time)}</dd>
          <dt>Last pulled</dt>
          <dd>{formatTime(a.pull_time)}</dd>
          <dt>Labels</dt>
          <dd aria-label="Labels">
            {labels.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              labels.map((l) => (
                <span key={l.id} className="label-chip" style={l.color ? { background: l.color } : undefined} title={l.description}>
                  {l.name}
                </span>
              ))
            )}
          </dd>
          <dt>Pull by digest</dt>
          <dd>
            <CopyCommand text={pullCommand(project.name, repo, { digest: a.digest })} label="Copy pull command by digest" />
          </dd>
        </dl>
      </div>

      <div className="section-head">
        <h2>Tags</h2>
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          Add tag
        </button>
      </div>
      <ErrorBanner error={tagError} />
      <table className="grid" aria-label="Tags">
        <thead>
          <tr>
            <th>Tag</th>
            <th>Pull command</th>
            <th>Pushed</th>
            <th>Pulled</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tags.map((t) => (
            <tr key={t.id}>
              <td>
                {t.name}
                {t.immutable && <span className="badge">immutable</span>}
              </td>
              <td>
                <CopyCommand text={pullCommand(project.name, repo, { tag: t.name })} label={`Copy pull command for tag ${t.name}`} />
              </td>
              <td className="nowrap">{formatTime(t.push_time)}</td>
              <td className="nowrap">{formatTime(t.pull_time)}</td>
              <td>
                <button type="button" className="small" aria-label={`Delete tag ${t.name}`} onClick={() => setRemoving(t.name)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {tags.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No tags.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={tagPage} pageSize={TAG_PAGE} total={tagTotal} onPage={setTagPage} />

      {a.references && a.references.length > 0 && (
        <>
          <h2>Platforms</h2>
          <table className="grid" aria-label="Platforms">
            <thead>
              <tr>
                <th>Platform</th>
                <th>Digest</th>
              </tr>
            </thead>
            <tbody>
              {a.references.map((r) => (
                <tr key={r.child_digest}>
                  <td>{platformText(r.platform)}</td>
                  <td>
                    {r.child_id ? (
                      <Link className="mono" to={`/projects/${project.project_id}/repositories/${encodeURIComponent(repo)}/artifacts/${r.child_digest}`}>
                        {r.child_digest}
                      </Link>
                    ) : (
                      <span className="mono">{r.child_digest}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      {annotations.length > 0 && (
        <>
          <h2>Annotations</h2>
          <dl className="facts card">
            {annotations.map(([k, v]) => (
              <div key={k} style={{ display: "contents" }}>
                <dt className="mono">{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </>
      )}

      {history && history.length > 0 && (
        <>
          <h2>Build history</h2>
          <table className="grid" aria-label="Build history">
            <thead>
              <tr>
                <th>Created</th>
                <th>Command</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h, i) => (
                <tr key={i}>
                  <td className="nowrap">{formatTime(h.created)}</td>
                  <td className="mono">
                    {h.created_by ?? ""}
                    {h.empty_layer && <span className="badge">empty layer</span>}
                    {h.comment && <div className="muted">{h.comment}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <Modal title="Add tag" open={adding} onClose={() => setAdding(false)}>
        <AddTagForm
          onClose={() => setAdding(false)}
          onAdd={async (name) => {
            await api.POST("/api/v2.0/projects/{project_name_or_id}/repositories/{repository_name}/artifacts/{reference}/tags", {
              params: { path: { ...pathParams, reference: a.digest } },
              body: { name },
            });
            setAdding(false);
            await loadTags();
          }}
        />
      </Modal>
      <Confirm
        title="Delete tag"
        open={removing !== null}
        message={
          <>
            Remove the tag <b>{removing}</b> from this artifact? The artifact stays.
          </>
        }
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          await api.DELETE("/api/v2.0/projects/{project_name_or_id}/repositories/{repository_name}/artifacts/{reference}/tags/{tag_name}", {
            params: { path: { ...pathParams, reference: a.digest, tag_name: removing ?? "" } },
          });
          if (tags.length === 1 && tagPage > 1) setTagPage(tagPage - 1);
          else await loadTags();
        }}
      />
    </div>
  );
}

function AddTagForm({ onClose, onAdd }: { onClose(): void; onAdd(name: string): Promise<void> }) {
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError("");
        try {
          await onAdd(name.trim());
        } catch (err) {
          setError(messageOf(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        Tag name
        <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus maxLength={128} />
      </label>
      <ErrorBanner error={error} />
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || !name.trim()}>
          {busy ? "Adding…" : "Add"}
        </button>
      </div>
    </form>
  );
}
