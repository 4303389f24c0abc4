// Opens the Stripe customer portal for the signed-in user.
import Stripe from "npm:stripe@17";

const stripe = new Stripe(Deno.env.get("STRIPE_SECRET_KEY") ?? "");

Deno.serve(async (req) => {
  const { customerId, returnUrl } = await req.json();
  const portal = await stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl });
  return Response.json({ url: portal.url });
});
