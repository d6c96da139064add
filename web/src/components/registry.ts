// Helpers for the repository and artifact pages: the API path form of a repository name, short
// digests, pull commands, a debounced value for search boxes, newest-request-only loading.
import { useCallback, useEffect, useRef, useState } from "react";

// A repository name (without the project) as the path parameter of the typed client. openapi-fetch
// encodes path parameters once itself, so encoding here once more gives Harbor's double encoding
// (`a/b` → `a%252Fb` on the wire), as Harbor's own clients send it.
export function repoParam(name: string): string {
  return encodeURIComponent(name);
}

// The repository name without its project prefix (the API's Repository.name includes it).
export function repoShortName(full: string, project: string): string {
  return full.startsWith(project + "/") ? full.slice(project.length + 1) : full;
}

// The console's own URL for a repository's artifacts (one path segment: `/` encoded once).
export function repoUrl(projectId: number | string, repo: string): string {
  return `/projects/${projectId}/repositories/${encodeURIComponent(repo)}/artifacts`;
}

export function shortDigest(d: string): string {
  const i = d.indexOf(":");
  return i < 0 ? d.slice(0, 12) : d.slice(i + 1, i + 13);
}

export function pullCommand(project: string, repo: string, ref?: { tag?: string; digest?: string }): string {
  const base = `docker pull ${window.location.host}/${project}/${repo}`;
  if (ref?.tag) return `${base}:${ref.tag}`;
  if (ref?.digest) return `${base}@${ref.digest}`;
  return base;
}

export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

// Numbers a component's requests so only the newest one's answer is shown, whichever arrives
// last: `const isNewest = begin();` before a request, `if (!isNewest()) return;` after it. (A filter
// change reloads the current page and then, once the page resets, page 1.)
export function useNewestRequest(): () => () => boolean {
  const latest = useRef(0);
  return useCallback(() => {
    const seq = ++latest.current;
    return () => seq === latest.current;
  }, []);
}

export const PAGE_SIZES = [10, 25, 50, 100];

// page / page_size from the URL (kept there so reload and back keep the place), clamped to the API's range.
export function pagingOf(params: URLSearchParams, defSize = 25): { page: number; pageSize: number } {
  const page = Math.max(1, Math.floor(Number(params.get("page")) || 1));
  const pageSize = Math.min(100, Math.max(1, Math.floor(Number(params.get("page_size")) || defSize)));
  return { page, pageSize };
}
