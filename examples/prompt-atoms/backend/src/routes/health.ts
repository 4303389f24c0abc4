import type { Request, Response } from "express";
import { config } from "../config";

// runbook 002 "Health Checks": `curl https://your-backend.com/health`
// answers with the environment it runs in (patterns: APP_ENV in production).
export function health(_req: Request, res: Response) {
  res.json({
    status: "ok",
    timestamp: new Date().toISOString(),
    environment: config.appEnv,
    version: "1.0.0",
  });
}
