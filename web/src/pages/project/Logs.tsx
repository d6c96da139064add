// Placeholder until the tab is written.
import type { ProjectTabProps } from "./tab";

export default function Logs(_props: ProjectTabProps) {
  return <p className="muted">Not written yet.</p>;
}
