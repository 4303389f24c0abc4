// runbook 001 §7 (planned): "Validate signature using
// `STRIPE_WEBHOOK_SECRET`". The handler ships off; an environment turns it
// on with STRIPE_WEBHOOKS_ENABLED, and envctl.yaml then requires both keys.
const Stripe = require("stripe");

async function stripeWebhook(req, res) {
  if (process.env.STRIPE_WEBHOOKS_ENABLED !== "true") {
    return res.status(404).end();
  }
  const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);
  const event = stripe.webhooks.constructEvent(
    req.body,
    req.headers["stripe-signature"],
    process.env.STRIPE_WEBHOOK_SECRET,
  );
  console.log(`stripe event ${event.type}`);
  return res.json({ received: true });
}

module.exports = { stripeWebhook };
