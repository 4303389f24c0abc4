import Stripe from "stripe";

// Payments are a feature an environment switches on (PAYMENTS_ENABLED);
// envctl.yaml then requires both Stripe secrets (runbook 004 §2
// "Conditionally required"), so reading them here is no undeclared read
// where payments are off.
export const onRequestPost: PagesFunction<Env> = async ({ request, env }) => {
  if (env.PAYMENTS_ENABLED !== "true") return new Response("payments are off", { status: 404 });
  const stripe = new Stripe(env.STRIPE_SECRET_KEY);
  const event = await stripe.webhooks.constructEventAsync(
    await request.text(),
    request.headers.get("stripe-signature") ?? "",
    env.STRIPE_WEBHOOK_SECRET,
  );
  return Response.json({ received: event.type });
};
