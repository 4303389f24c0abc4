// The Create flow's image upload (runbook 001 §3 checklist: "`POST
// /api/content/upload-image` returns 201 with non-fallback URL").
const { createClient } = require("@supabase/supabase-js");

const supabase = createClient(process.env.SUPABASE_URL, process.env.SUPABASE_SERVICE_ROLE_KEY);
const bucket = process.env.SUPABASE_CONTENT_BUCKET;
// Local work without a bucket only: forbidden_flags refuses it elsewhere
// (§6 "alert if fallback responses spike").
const fallback = process.env.ALLOW_UPLOAD_FALLBACK === "true";

async function uploadImage(req, res) {
  const path = `uploads/${Date.now()}-${req.headers["x-file-name"] ?? "image"}`;
  const { error } = await supabase.storage.from(bucket).upload(path, req.body);
  if (error && fallback) {
    return res.status(201).json({ url: "/placeholder.png", fallback: true });
  }
  if (error) return res.status(502).json({ error: error.message });
  const { data } = supabase.storage.from(bucket).getPublicUrl(path);
  return res.status(201).json({ url: data.publicUrl });
}

module.exports = { uploadImage };
