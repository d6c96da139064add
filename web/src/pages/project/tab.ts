// The props every project tab receives from ProjectDetail.
import type { Project } from "../../api/types";

export type ProjectTabProps = { project: Project; reload(): Promise<void> };
