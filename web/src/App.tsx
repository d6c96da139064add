// Routes of the console. Pages live in pages/ (one file per page, named after it; a project's tabs in
// pages/project/, administration in pages/admin/); shared pieces in components/. Everything but
// /login needs a session; administration pages need a system admin (the API refuses others anyway).
import { lazy } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import Layout from "./components/Layout";
// The dashboard (recharts) and the administration pages load on first use, so the console's first
// paint only fetches what the projects pages need.
const AuditLog = lazy(() => import("./pages/admin/AuditLog"));
const Dashboard = lazy(() => import("./pages/admin/Dashboard"));
const Gc = lazy(() => import("./pages/admin/Gc"));
const Ldap = lazy(() => import("./pages/admin/Ldap"));
const SystemRobots = lazy(() => import("./pages/admin/Robots"));
const Settings = lazy(() => import("./pages/admin/Settings"));
const Users = lazy(() => import("./pages/admin/Users"));
import Account from "./pages/Account";
import Login from "./pages/Login";
import ProjectDetail from "./pages/project/ProjectDetail";
import Projects from "./pages/Projects";
import { useSession } from "./session";

function RequireSession({ children }: { children: React.ReactNode }) {
  const { user, loading } = useSession();
  const location = useLocation();
  if (loading) return <p className="muted pad">Loading…</p>;
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

export default function App() {
  return (
    <Routes>
      <Route path="/login" element={<Login />} />
      <Route
        element={
          <RequireSession>
            <Layout />
          </RequireSession>
        }
      >
        <Route path="/" element={<Navigate to="/dashboard" replace />} />
        <Route path="/dashboard" element={<Dashboard />} />
        <Route path="/projects" element={<Projects />} />
        <Route path="/projects/:projectId/*" element={<ProjectDetail />} />
        <Route path="/account" element={<Account />} />
        <Route path="/admin/users" element={<Users />} />
        <Route path="/admin/robots" element={<SystemRobots />} />
        <Route path="/admin/ldap" element={<Ldap />} />
        <Route path="/admin/gc" element={<Gc />} />
        <Route path="/admin/settings" element={<Settings />} />
        <Route path="/admin/audit" element={<AuditLog />} />
        <Route path="*" element={<p className="pad">Page not found.</p>} />
      </Route>
    </Routes>
  );
}
