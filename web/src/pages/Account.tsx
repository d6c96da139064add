// The signed-in user's own account: profile (email, real name, comment) and password change (the old
// password is required; the API's message is shown when it refuses).
import { useEffect, useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import { api, messageOf } from "../api/client";
import { ErrorBanner, formatTime } from "../components/ui";
import { useSession } from "../session";
import "./admin/admin.css";

const PASSWORD_RULE = "8 to 128 characters, with at least one upper-case letter, one lower-case letter and one digit.";

export default function Account() {
  const { user, refresh, signOut } = useSession();
  const navigate = useNavigate();
  const [ended, setEnded] = useState(false);
  const [profile, setProfile] = useState({ email: "", realname: "", comment: "" });
  const [profileError, setProfileError] = useState("");
  const [profileNotice, setProfileNotice] = useState("");
  const [pw, setPw] = useState({ old: "", next: "", again: "" });
  const [pwError, setPwError] = useState("");
  const [pwNotice, setPwNotice] = useState("");
  const [busy, setBusy] = useState("");

  useEffect(() => {
    if (user) setProfile({ email: user.email, realname: user.realname, comment: user.comment });
  }, [user]);

  if (!user) return null;

  async function saveProfile(e: FormEvent) {
    e.preventDefault();
    if (!user) return;
    setBusy("profile");
    setProfileError("");
    setProfileNotice("");
    try {
      await api.PUT("/api/v2.0/users/{user_id}", { params: { path: { user_id: user.user_id } }, body: profile });
      await refresh();
      setProfileNotice("Profile saved.");
    } catch (err) {
      setProfileError(messageOf(err));
    } finally {
      setBusy("");
    }
  }

  async function changePassword(e: FormEvent) {
    e.preventDefault();
    if (!user) return;
    setPwError("");
    setPwNotice("");
    if (pw.next !== pw.again) {
      setPwError("The new password and its confirmation differ.");
      return;
    }
    setBusy("password");
    try {
      await api.PUT("/api/v2.0/users/{user_id}/password", {
        params: { path: { user_id: user.user_id } },
        body: { old_password: pw.old, new_password: pw.next },
      });
      setPw({ old: "", next: "", again: "" });
      // The server ends the session when the password changes: sign in again with the new one.
      setEnded(true);
      setPwNotice("Password changed. Your session has ended: sign in again with the new password.");
    } catch (err) {
      setPwError(messageOf(err));
    } finally {
      setBusy("");
    }
  }

  return (
    <section className="admin-page form-narrow">
      <h1>Account</h1>
      <p className="muted">
        Signed in as <strong>{user.username}</strong>
        {user.sysadmin_flag ? " (system admin)" : ""}, member since {formatTime(user.creation_time)}.
      </p>
      <form className="card" onSubmit={saveProfile} aria-labelledby="profile-h">
        <h2 id="profile-h">Profile</h2>
        <label>
          Email
          <input type="email" value={profile.email} onChange={(e) => setProfile({ ...profile, email: e.target.value })} />
        </label>
        <label>
          Real name
          <input value={profile.realname} onChange={(e) => setProfile({ ...profile, realname: e.target.value })} />
        </label>
        <label>
          Comment
          <input value={profile.comment} onChange={(e) => setProfile({ ...profile, comment: e.target.value })} />
        </label>
        <ErrorBanner error={profileError} />
        {profileNotice && (
          <p className="notice" role="status">
            {profileNotice}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy === "profile" || ended}>
            Save profile
          </button>
        </div>
      </form>
      <form className="card" onSubmit={changePassword} aria-labelledby="password-h">
        <h2 id="password-h">Change password</h2>
        <label>
          Current password
          <input type="password" required autoComplete="current-password" value={pw.old} onChange={(e) => setPw({ ...pw, old: e.target.value })} />
        </label>
        <div className="field">
        <label>
          New password
          <input type="password" required autoComplete="new-password" value={pw.next} onChange={(e) => setPw({ ...pw, next: e.target.value })} aria-describedby="new-pw-hint" />
        </label>
          <span id="new-pw-hint" className="hint">
            {PASSWORD_RULE}
          </span>
        </div>
        <label>
          Confirm new password
          <input type="password" required autoComplete="new-password" value={pw.again} onChange={(e) => setPw({ ...pw, again: e.target.value })} />
        </label>
        <ErrorBanner error={pwError} />
        {pwNotice && (
          <p className="notice" role="status">
            {pwNotice}
          </p>
        )}
        <div className="actions">
          {ended ? (
            <button
              type="button"
              className="primary"
              onClick={async () => {
                await signOut();
                navigate("/login", { replace: true });
              }}
            >
              Sign in again
            </button>
          ) : (
            <button type="submit" className="primary" disabled={busy === "password"}>
              Change password
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
