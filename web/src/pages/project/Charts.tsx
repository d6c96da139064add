// Helm charts of a project through the ChartMuseum-compatible API (outside the OpenAPI contract, so
// through raw()): the charts (GET /api/chartrepo/<project>/charts), one chart's versions
// (…/charts/<name>) with download links (/chartrepo/<project>/charts/<name>-<version>.tgz) and
// delete (DELETE …/charts/<name>/<version>), upload of a packaged .tgz (multipart field `chart`).
// The API answers the whole list at once; the tables page it here.
import { useCallback, useEffect, useRef, useState } from "react";
import { Link, Route, Routes, useNavigate, useParams } from "react-router-dom";
import { messageOf, raw } from "../../api/client";
import { Confirm, ErrorBanner, Pager, formatTime } from "../../components/ui";
import type { ProjectTabProps } from "./tab";
import "./project.css";

type Chart = { name: string; total_versions: number; latest_version: string; created: string; updated: string; icon?: string; home?: string; deprecated?: boolean };
type ChartVersion = {
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  apiVersion?: string;
  type?: string;
  urls: string[];
  created: string;
  digest: string;
  deprecated?: boolean;
  labels?: { id: number; name: string }[];
};

const PAGE_SIZE = 15;
const enc = encodeURIComponent;

function useBase(): string {
  return `/projects/${useParams().projectId}/charts`;
}

function Upload({ project, onDone }: { project: string; onDone(fileName: string): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  return (
    <form
      className="toolbar"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!file) return;
        setBusy(true);
        setError("");
        try {
          const body = new FormData();
          body.append("chart", file, file.name);
          await raw(`/api/chartrepo/${enc(project)}/charts`, { method: "POST", body });
          setFile(null);
          if (input.current) input.current.value = "";
          onDone(file.name);
        } catch (err) {
          setError(messageOf(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <label className="inline">
        Chart package (.tgz)
        <input ref={input} type="file" accept=".tgz,.tar.gz,application/gzip,application/x-gzip" onChange={(e) => (setFile(e.target.files?.[0] ?? null), setError(""))} />
      </label>
      <button type="submit" className="primary" disabled={!file || busy}>
        {busy ? "Uploading…" : "Upload"}
      </button>
      {busy && (
        <span className="muted" role="status">
          Uploading {file?.name}…
        </span>
      )}
      <div style={{ flexBasis: "100%" }}>
        <ErrorBanner error={error} />
      </div>
    </form>
  );
}

function ChartList({ project }: { project: string }) {
  const base = useBase();
  const [rows, setRows] = useState<Chart[] | null>(null);
  const [page, setPage] = useState(1);
  const [q, setQ] = useState("");
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");

  const load = useCallback(async () => {
    try {
      const res = await raw(`/api/chartrepo/${enc(project)}/charts`);
      setRows((await res.json()) as Chart[]);
      setError("");
    } catch (e) {
      setError(messageOf(e));
    }
  }, [project]);
  useEffect(() => {
    void load();
  }, [load]);

  const shown = (rows ?? []).filter((c) => !q || c.name.toLowerCase().includes(q.toLowerCase()));
  const pageRows = shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);

  return (
    <section aria-label="Helm charts">
      <Upload
        project={project}
        onDone={(fileName) => {
          setNotice(`Uploaded ${fileName}.`);
          void load();
        }}
      />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="toolbar">
        <input type="search" placeholder="Search charts" aria-label="Search charts" value={q} onChange={(e) => (setQ(e.target.value), setPage(1))} />
      </div>
      <ErrorBanner error={error} />
      <table className="grid">
        <thead>
          <tr>
            <th>Name</th>
            <th>Latest version</th>
            <th>Versions</th>
            <th>Created</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {pageRows.map((c) => (
            <tr key={c.name}>
              <td>
                <Link to={`${base}/${enc(c.name)}`}>{c.name}</Link>
                {c.deprecated && <span className="badge">deprecated</span>}
              </td>
              <td>{c.latest_version}</td>
              <td>{c.total_versions}</td>
              <td>{formatTime(c.created)}</td>
              <td>{formatTime(c.updated)}</td>
            </tr>
          ))}
          {rows && shown.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                {q ? "No charts match." : "No charts yet: upload a packaged chart (.tgz)."}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={shown.length} onPage={setPage} />
    </section>
  );
}

function Versions({ project }: { project: string }) {
  const base = useBase();
  const name = useParams().name ?? "";
  const navigate = useNavigate();
  const [rows, setRows] = useState<ChartVersion[] | null>(null);
  const [page, setPage] = useState(1);
  const [error, setError] = useState("");
  const [deleting, setDeleting] = useState<ChartVersion | null>(null);

  const load = useCallback(async () => {
    try {
      const res = await raw(`/api/chartrepo/${enc(project)}/charts/${enc(name)}`);
      setRows((await res.json()) as ChartVersion[]);
      setError("");
    } catch (e) {
      setError(messageOf(e));
    }
  }, [project, name]);
  useEffect(() => {
    void load();
  }, [load]);

  const pageRows = (rows ?? []).slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const download = (v: ChartVersion) => `/chartrepo/${enc(project)}/${v.urls[0] ?? `charts/${v.name}-${v.version}.tgz`}`;

  return (
    <section aria-label={`Chart ${name}`}>
      <p className="crumbs">
        <Link to={base}>Helm charts</Link> › {name}
      </p>
      <ErrorBanner error={error} />
      <table className="grid">
        <thead>
          <tr>
            <th>Version</th>
            <th>App version</th>
            <th>Description</th>
            <th>Created</th>
            <th>Digest</th>
            <th className="row-actions">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {pageRows.map((v) => (
            <tr key={v.version}>
              <td>{v.version}</td>
              <td>{v.appVersion ?? "—"}</td>
              <td>{v.description}</td>
              <td>{formatTime(v.created)}</td>
              <td className="mono" title={v.digest}>
                {v.digest.slice(0, 12)}
              </td>
              <td className="row-actions">
                <a href={download(v)} download aria-label={`Download ${v.name} ${v.version}`}>
                  Download
                </a>{" "}
                <button type="button" className="small" aria-label={`Delete ${v.name} ${v.version}`} onClick={() => setDeleting(v)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {rows && rows.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No versions.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} total={rows?.length ?? 0} onPage={setPage} />
      <Confirm
        title="Delete chart version"
        open={!!deleting}
        message={deleting && <>Delete {deleting.name} {deleting.version}? Clients can no longer install it.</>}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await raw(`/api/chartrepo/${enc(project)}/charts/${enc(deleting.name)}/${enc(deleting.version)}`, { method: "DELETE" });
          if ((rows?.length ?? 0) <= 1) navigate(base);
          else await load();
        }}
      />
    </section>
  );
}

export default function Charts({ project }: ProjectTabProps) {
  return (
    <Routes>
      <Route index element={<ChartList project={project.name} />} />
      <Route path=":name" element={<Versions project={project.name} />} />
    </Routes>
  );
}
