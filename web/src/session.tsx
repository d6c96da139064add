// Who is signed in: loads /users/current once, offers signIn/signOut to the pages. A 401 anywhere
// sends the user back to the login page.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { api, raw } from "./api/client";
import type { components } from "./api/schema";

export type CurrentUser = components["schemas"]["User"];

type Session = {
  user: CurrentUser | null;
  loading: boolean;
  signIn(principal: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  refresh(): Promise<void>;
};

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<CurrentUser | null>(null);
  const [loading, setLoading] = useState(true);

  const refresh = useCallback(async () => {
    try {
      const { data } = await api.GET("/api/v2.0/users/current");
      setUser((data as CurrentUser) ?? null);
    } catch {
      setUser(null);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const signIn = useCallback(
    async (principal: string, password: string) => {
      await raw("/c/login", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ principal, password }).toString(),
      });
      await refresh();
    },
    [refresh],
  );

  const signOut = useCallback(async () => {
    await raw("/c/log_out").catch(() => undefined);
    setUser(null);
  }, []);

  return (
    <SessionContext.Provider value={{ user, loading, signIn, signOut, refresh }}>{children}</SessionContext.Provider>
  );
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}
