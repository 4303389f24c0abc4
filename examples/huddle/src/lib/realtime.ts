import { WS_URL } from "./env";

// `npm run dev` without a .env.local falls back to the local Supabase
// stack. The fallback sits in an `import.meta.env.DEV` branch, which a
// production build drops, so hardcoded-localhost does not count it; a
// plain `WS_URL ?? "ws://127.0.0.1:54321/realtime/v1"` would be refused in
// production.
export const realtimeUrl: string | undefined = import.meta.env.DEV
  ? (WS_URL ?? "ws://127.0.0.1:54321/realtime/v1")
  : WS_URL;

export function connect(channel: string): WebSocket | null {
  if (!realtimeUrl) {
    console.warn("huddle: VITE_WS_URL is not set; live chat is off");
    return null;
  }
  return new WebSocket(`${realtimeUrl}/websocket?channel=${encodeURIComponent(channel)}`);
}
