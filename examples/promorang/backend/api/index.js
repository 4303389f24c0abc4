// The Node API (runbook 001 §1: `node api/index.js`, health check at
// http://localhost:3001/api/health on a developer's machine). Vercel runs
// it as a function in staging and production, where PORT is not set.
const express = require("express");
const cors = require("cors");
const { uploadImage } = require("./storage");
const { stripeWebhook } = require("./webhooks");

const { PORT = "3001", CORS_ORIGIN } = process.env;

const app = express();
// runbook 001 §3 step 5: the production API allows https://app.promorang.com only.
app.use(cors({ origin: CORS_ORIGIN }));
app.get("/api/health", (_req, res) => res.json({ ok: true }));
app.post("/api/content/upload-image", uploadImage);
app.post("/api/webhooks/stripe", express.raw({ type: "application/json" }), stripeWebhook);

if (require.main === module) {
  app.listen(Number(PORT), () => console.log(`api on :${PORT}`));
}
module.exports = app;
