// One project: loads it by id or name from the URL and shows its tabs. Each tab is its own file in
// this folder and gets the loaded project (and a reload callback) as props.
import { useCallback, useEffect, useState } from "react";
import { NavLink, Route, Routes, useParams } from "react-router-dom";
import { api, messageOf } from "../../api/client";
import type { Project } from "../../api/types";
import { ErrorBanner } from "../../components/ui";
import Artifacts from "./Artifacts";
import ArtifactDetail from "./ArtifactDetail";
import Charts from "./Charts";
import Logs from "./Logs";
import Members from "./Members";
import Repositories from "./Repositories";
import Robots from "./Robots";
import Summary from "./Summary";
import Webhooks from "./Webhooks";


const TABS: [string, string][] = [
  ["summary", "Summary"],
  ["repositories", "Repositories"],
  ["charts", "Helm Charts"],
  ["members", "Members"],
  ["robots", "Robot Accounts"],
  ["webhooks", "Webhooks"],
  ["logs", "Logs"],
];

export default function ProjectDetail() {
  const { projectId = "" } = useParams();
  const [project, setProject] = useState<Project | null>(null);
  const [error, setError] = useState("");

  const reload = useCallback(async () => {
    try {
      const { data } = await api.GET("/api/v2.0/projects/{project_name_or_id}", {
        params: { path: { project_name_or_id: projectId } },
      });
      setProject(data ?? null);
      setError("");
    } catch (e) {
      setError(messageOf(e));
    }
  }, [projectId]);

  useEffect(() => {
    void reload();
  }, [reload]);

  if (error) return <ErrorBanner error={error} />;
  if (!project) return <p className="muted">Loading…</p>;
  const props = { project, reload };
  return (
    <section>
      <h1>
        {project.name} <span className="badge">{project.metadata?.public === "true" ? "Public" : "Private"}</span>
      </h1>
      <nav className="tabs" aria-label="Project">
        {TABS.map(([path, label]) => (
          <NavLink key={path} to={`/projects/${projectId}/${path}`}>
            {label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Repositories {...props} />} />
        <Route path="summary" element={<Summary {...props} />} />
        <Route path="repositories" element={<Repositories {...props} />} />
        <Route path="repositories/:repo/artifacts" element={<Artifacts {...props} />} />
        <Route path="repositories/:repo/artifacts/:reference" element={<ArtifactDetail {...props} />} />
        <Route path="charts/*" element={<Charts {...props} />} />
        <Route path="members" element={<Members {...props} />} />
        <Route path="robots" element={<Robots {...props} />} />
        <Route path="webhooks/*" element={<Webhooks {...props} />} />
        <Route path="logs" element={<Logs {...props} />} />
      </Routes>
    </section>
  );
}
