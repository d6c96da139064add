// Shared by the LDAP and Configuration pages: load /configurations as a flat form (values only, plus
// which keys are editable) and save just the keys that changed (PUT is all or nothing).
import { useCallback, useEffect, useState } from "react";
import { api, messageOf } from "../../api/client";
import type { components } from "../../api/schema";

export type ConfigResponse = components["schemas"]["ConfigurationsResponse"];
export type ConfigKey = keyof ConfigResponse;
export type ConfigUpdate = components["schemas"]["Configurations"];
export type FormValues = Partial<Record<ConfigKey, string | number | boolean>>;

export function useConfigurations() {
  const [loaded, setLoaded] = useState<ConfigResponse | null>(null);
  const [values, setValues] = useState<FormValues>({});
  const [error, setError] = useState("");

  const load = useCallback(async () => {
    try {
      const { data } = await api.GET("/api/v2.0/configurations");
      if (!data) return;
      setLoaded(data);
      const v: FormValues = {};
      for (const [k, item] of Object.entries(data)) v[k as ConfigKey] = item.value;
      setValues(v);
      setError("");
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const set = useCallback((k: ConfigKey, v: string | number | boolean) => setValues((old) => ({ ...old, [k]: v })), []);
  const editable = (k: ConfigKey) => loaded?.[k]?.editable ?? false;

  // The keys among `keys` whose value differs from what was loaded (and may be changed).
  function changes(keys: readonly ConfigKey[]): ConfigUpdate {
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      if (!loaded || !editable(k)) continue;
      if (values[k] !== loaded[k].value) out[k] = values[k];
    }
    return out as ConfigUpdate;
  }

  async function save(body: ConfigUpdate) {
    await api.PUT("/api/v2.0/configurations", { body });
    await load();
  }

  return { loaded, values, set, editable, changes, save, error, setError, reload: load };
}
