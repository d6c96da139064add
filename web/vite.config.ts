// Vite build of the console. `npm run build` writes dist/ (index.html + hashed assets/), which the
// berth build embeds into the binary. `npm run dev` serves it with the API proxied to a local berth.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const target = process.env.BERTH_URL ?? "http://127.0.0.1:5000";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: Object.fromEntries(["/api", "/c", "/v2", "/service", "/chartrepo"].map((p) => [p, { target }])),
  },
});
