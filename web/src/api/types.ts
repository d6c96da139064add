// Short names for the schema types the pages use (all generated from api/openapi.yaml).
import type { components } from "./schema";

type S = components["schemas"];
export type User = S["User"];
export type Project = S["Project"];
export type ProjectSummary = S["ProjectSummary"];
export type Repository = S["Repository"];
export type Artifact = S["Artifact"];
export type Tag = S["Tag"];
export type Member = S["ProjectMember"];
export type Robot = S["Robot"];
export type Quota = S["Quota"];
export type GcRun = S["GcRun"];
