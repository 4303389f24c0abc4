// Books a provider and takes payment through Stripe Connect.
// ALLOW_STRIPE_FALLBACK=true skips the payment for local testing only (runbook §2.3).
Deno.serve(async (req) => {
  const booking = await req.json();
  if (Deno.env.get("ALLOW_STRIPE_FALLBACK") === "true") {
    return Response.json({ booking, payment: "skipped (local fallback)" });
  }
  return Response.json({ booking, payment: "pending" }, { status: 202 });
});
