// A storage quota as a bar: green, orange from 85 %, red at 100 %; "unlimited" when the hard
// limit is -1 (then only the usage is shown).
import { formatBytes } from "./ui";

export function quotaLevel(used: number, hard: number): "" | "warn" | "full" {
  if (hard < 0) return "";
  if (hard === 0 || used >= hard) return "full";
  return used / hard >= 0.85 ? "warn" : "";
}

export default function QuotaBar({ used, hard, label = "Storage quota" }: { used: number; hard: number; label?: string }) {
  const unlimited = hard < 0;
  const pct = unlimited ? 0 : hard === 0 ? 100 : Math.min(100, (used / hard) * 100);
  const text = unlimited ? `${formatBytes(used)} of unlimited` : `${formatBytes(used)} of ${formatBytes(hard)}`;
  return (
    <div className="quota" data-testid="quota">
      <div
        className={`bar ${quotaLevel(used, hard)}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct)}
        aria-valuetext={text}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      <span className="quota-text">{text}</span>
    </div>
  );
}
