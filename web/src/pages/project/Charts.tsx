// Placeholder until the tab is written.
import type { ProjectTabProps } from "./tab";

export default function Charts(_props: ProjectTabProps) {
  return <p className="muted">Not written yet.</p>;
}
