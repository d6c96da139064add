// A project's summary: access level, repository count, members per role and the storage quota.
import { useEffect, useState } from "react";
import { api, messageOf } from "../../api/client";
import type { ProjectSummary } from "../../api/types";
import QuotaBar from "../../components/QuotaBar";
import { ErrorBanner, formatTime } from "../../components/ui";
import type { ProjectTabProps } from "./tab";
import "./repos.css";

export default function Summary({ project }: ProjectTabProps) {
  const [s, setS] = useState<ProjectSummary | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    let stale = false;
    api
      .GET("/api/v2.0/projects/{project_name_or_id}/summary", { params: { path: { project_name_or_id: String(project.project_id) } } })
      .then(({ data }) => !stale && (setS(data ?? null), setError("")))
      .catch((e) => !stale && setError(messageOf(e)));
    return () => {
      stale = true;
    };
  }, [project.project_id]);

  const roles: [string, number | undefined][] = [
    ["Project admins", s?.project_admin_count],
    ["Maintainers", s?.maintainer_count],
    ["Developers", s?.developer_count],
    ["Guests", s?.guest_count],
    ["Limited guests", s?.limited_guest_count],
  ];
  return (
    <div>
      <ErrorBanner error={error} />
      <div className="cards">
        <div className="card" aria-label="Access level">
          <h2>Access level</h2>
          <div className="big">{project.metadata?.public === "true" ? "Public" : "Private"}</div>
          <p className="muted">
            Owner {project.owner_name}, created {formatTime(project.creation_time)}
          </p>
        </div>
        <div className="card">
          <h2>Repositories</h2>
          <div className="big" data-testid="repo-count">
            {s ? s.repo_count : "…"}
          </div>
        </div>
        <div className="card">
          <h2>Members</h2>
          <dl className="facts" aria-label="Members by role">
            {roles.map(([label, n]) => (
              <div key={label} style={{ display: "contents" }}>
                <dt>{label}</dt>
                <dd>{n ?? "…"}</dd>
              </div>
            ))}
          </dl>
        </div>
        <div className="card">
          <h2>Quota</h2>
          {s?.quota ? <QuotaBar used={s.quota.used.storage} hard={s.quota.hard.storage} /> : <p className="muted">{s ? "Not visible to you." : "…"}</p>}
        </div>
      </div>
    </div>
  );
}
