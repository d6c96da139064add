// The frame around every signed-in page: header with the user menu, a side navigation (the
// Administration part only for system admins), and the page in <main>.
import { Suspense } from "react";
import { NavLink, Outlet, useNavigate } from "react-router-dom";
import { useSession } from "../session";

export default function Layout() {
  const { user, signOut } = useSession();
  const navigate = useNavigate();
  const admin = !!user?.sysadmin_flag;
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="/">
          Berth
        </a>
        <span className="spacer" />
        <NavLink className="who" to="/account" data-testid="current-user">
          {user?.username}
        </NavLink>
        <button
          type="button"
          className="link"
          onClick={async () => {
            await signOut();
            navigate("/login");
          }}
        >
          Log out
        </button>
      </header>
      <nav className="sidenav" aria-label="Main">
        <NavLink to="/dashboard">Dashboard</NavLink>
        <NavLink to="/projects">Projects</NavLink>
        {admin && (
          <>
            <div className="navhead">Administration</div>
            <NavLink to="/admin/users">Users</NavLink>
            <NavLink to="/admin/robots">Robot Accounts</NavLink>
            <NavLink to="/admin/ldap">LDAP</NavLink>
            <NavLink to="/admin/gc">Garbage Collection</NavLink>
            <NavLink to="/admin/audit">Audit Log</NavLink>
            <NavLink to="/admin/settings">Configuration</NavLink>
          </>
        )}
      </nav>
      <main className="content">
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
