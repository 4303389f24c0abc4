// Creates a Stripe Connect account for a marketplace provider.
import Stripe from "npm:stripe@17";

const stripe = new Stripe(Deno.env.get("STRIPE_SECRET_KEY") ?? "");

Deno.serve(async () => {
  const account = await stripe.accounts.create({ type: "express" });
  return Response.json({ id: account.id });
});
