// Placeholder until the tab is written.
import type { ProjectTabProps } from "./tab";

export default function Artifacts(_props: ProjectTabProps) {
  return <p className="muted">Not written yet.</p>;
}
